"""Placeholder until the search stage lands."""
from fastapi import APIRouter

router = APIRouter(prefix="/api")
