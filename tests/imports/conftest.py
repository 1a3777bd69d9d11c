import pytest

from .catalogue_data import ensure_catalogue


@pytest.fixture
def catalogue(db):
    """The product line and grade the import files name."""
    ensure_catalogue(db)
    return db
