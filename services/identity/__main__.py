"""Run the identity service: ``python -m services.identity``."""

import uvicorn

from services.identity.app import Settings, create_app

if __name__ == "__main__":
    settings = Settings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)
