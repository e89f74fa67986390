"""Run the feedback service: ``python -m services.feedback``."""

from services.common.runtime import serve
from services.feedback.app import Settings, create_app

if __name__ == "__main__":
    settings = Settings()
    serve(create_app(settings), settings)
