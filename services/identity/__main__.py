"""Run the identity service: ``python -m services.identity``."""

from services.common.runtime import serve
from services.identity.app import Settings, create_app

if __name__ == "__main__":
    settings = Settings()
    serve(create_app(settings), settings)
