"""Placeholder until the graph stage lands."""
from fastapi import APIRouter

router = APIRouter(prefix="/api")
