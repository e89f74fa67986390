"""Run the targets service: ``python -m services.targets``."""

import uvicorn

from services.targets.app import Settings, create_app

settings = Settings()
uvicorn.run(create_app(settings), host=settings.host, port=settings.port)
