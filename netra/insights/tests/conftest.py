from netra.cases.tests.history_support import register_world  # noqa: F401 -- the historical import's fixture
