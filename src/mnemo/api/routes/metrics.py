"""Placeholder until the metrics stage lands."""
from fastapi import APIRouter

router = APIRouter(prefix="/api")
