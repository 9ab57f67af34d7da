"""Summarise request timings for a report."""


def mean(values):
    """Arithmetic mean; 0 for no values."""
    return sum(values) / len(values) if values else 0.0


def summarize(timings):
    """Mean and worst timing, in milliseconds."""
    if not timings:
        return {"mean": 0.0, "worst": 0.0}
    return {"mean": mean(timings), "worst": max(timings)}
