"""Run the assessment service: ``python -m services.assessment``."""

import uvicorn

from services.assessment.app import Settings, create_app

if __name__ == "__main__":
    settings = Settings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)
