"""Run the feedback service: ``python -m services.feedback``."""

import uvicorn

from services.feedback.app import Settings, create_app

if __name__ == "__main__":
    settings = Settings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)
