"""Run the gateway: ``python -m services.gateway``."""

import uvicorn

from services.gateway.app import Settings, create_app

settings = Settings()
uvicorn.run(create_app(settings), host=settings.host, port=settings.port)
