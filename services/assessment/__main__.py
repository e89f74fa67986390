"""Run the assessment service: ``python -m services.assessment``."""

from services.assessment.app import Settings, create_app
from services.common.runtime import serve

if __name__ == "__main__":
    settings = Settings()
    serve(create_app(settings), settings)
