"""platform/ is a source folder, never an import name: it would shadow the
standard library module that Django, pip and pandas import."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_platform_is_the_standard_library() -> None:
    import platform

    assert hasattr(platform, "system") and platform.system()
    import sysconfig

    assert Path(platform.__file__).parent == Path(sysconfig.get_paths()["stdlib"])
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_platform_folder_is_on_the_path_but_not_a_package() -> None:
    assert str(ROOT / "platform") in sys.path
    import config.settings  # noqa: F401  (platform/config, found through the path)
