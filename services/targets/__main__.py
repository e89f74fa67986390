"""Run the targets service: ``python -m services.targets``."""

from services.common.runtime import serve
from services.targets.app import Settings, create_app

settings = Settings()
serve(create_app(settings), settings)
