"""Run the gateway: ``python -m services.gateway``."""

from services.common.runtime import serve
from services.gateway.app import Settings, create_app

settings = Settings()
serve(create_app(settings), settings)
