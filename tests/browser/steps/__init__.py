"""Year-walk building blocks: one async function per step a person takes by clicks."""
