"""Loading the pipeline and building the task; starting early while the caller provisions."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types
from pathlib import Path
from typing import Any

from .events import EXIT_CANNOT_START, StartError
from .frames import frames_of_exception, user_frames

def preload_for(pipeline_path: Path) -> None:
    """Import what the pipeline will import anyway, while the caller is still provisioning:
    the Spanner client alone costs 0.5-0.8 s. Guessed from the pipeline's text, so a pipeline
    without Spanner does not pay for it; a wrong guess only costs time, never correctness."""
    try:
        source = pipeline_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return  # load_pipeline reports it
    wanted = ["luigi_spanner"] if "luigi_spanner" in source else ["google.cloud.spanner"] if "spanner" in source else []
    for name in wanted:
        try:
            importlib.import_module(name)
        except Exception:
            pass  # the pipeline's own import reports it, at its line


def await_go() -> None:
    """Block until the caller writes 'go' (its database is ready). End of input or anything
    else means it gave up (provisioning failed, or the run was cancelled): leave quietly."""
    line = sys.stdin.readline()
    # The pipeline gets an empty stdin, as a run without --await-go has.
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    if line.strip() != "go":
        raise SystemExit(EXIT_CANNOT_START)


def load_pipeline(path: Path) -> types.ModuleType:
    if not path.is_file():
        raise StartError(f"Pipeline file {path} does not exist.", "Pass the path of a .py file with --file.")
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    # Luigi looks task modules up by name (dynamic dependencies go through load_task): register
    # it under its own name, unless that would shadow a module (a pipeline called csv.py).
    shadows = path.stem in sys.modules or path.stem in sys.stdlib_module_names
    name = path.stem if path.stem.isidentifier() and not shadows else f"_luigi_spanner_pipeline_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise StartError(f"{path} cannot be imported as a Python module.", "Pass a .py file with --file.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        raise StartError(
            f"{path.name} has a syntax error: {error.msg}.",
            "Fix the syntax error, then run again.",
            error.filename,
            error.lineno,
        ) from error
    except Exception as error:
        own = user_frames(frames_of_exception(error))
        where = own[-1] if own else {"file": str(path), "line": None}
        fix = (
            "Install the missing module into the managed venv, or put its folder on PYTHONPATH."
            if isinstance(error, ImportError)
            else "Fix the error raised while the module loads, then run again."
        )
        raise StartError(
            f"Importing {path.name} failed: {type(error).__name__}: {error}", fix, where["file"], where["line"]
        ) from error
    return module


def find_task_class(module: types.ModuleType, name: str) -> type:
    import luigi
    from luigi.task_register import Register, TaskClassException

    found = getattr(module, name, None)
    if isinstance(found, type) and issubclass(found, luigi.Task):
        return found
    try:
        return Register.get_task_cls(name)
    except TaskClassException:
        pass
    available = sorted(
        value.__name__
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, luigi.Task) and value.__module__ == module.__name__
    )
    raise StartError(
        f'No Luigi task "{name}" in {module.__file__}.',
        f"Pass one of: {', '.join(available)}." if available else "Define a luigi.Task subclass in the file.",
    )


def build_task(task_class: type, raw_params: list[str]) -> Any:
    from luigi.parameter import MissingParameterException

    declared = dict(task_class.get_params())
    values: dict[str, Any] = {}
    for raw in raw_params:
        key, sep, text = raw.partition("=")
        name = key.strip().lstrip("-").replace("-", "_")
        if not sep or not name:
            raise StartError(f'Parameter "{raw}" is not NAME=VALUE.', "Write it as --param name=value.")
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise StartError(
                f'{task_class.__name__} has no parameter "{name}".', f"Parameters of {task_class.__name__}: {known}."
            )
        try:
            values[name] = declared[name].parse(text)
        except Exception as error:
            raise StartError(
                f'Value "{text}" of parameter "{name}" is invalid: {error}',
                f"Pass a value {type(declared[name]).__name__} accepts.",
            ) from error
    try:
        return task_class(**values)
    except MissingParameterException as error:
        raise StartError(str(error), "Pass it with --param name=value.") from error
    except Exception as error:
        raise StartError(
            f"Creating {task_class.__name__} failed: {type(error).__name__}: {error}",
            "Check the parameter values and the task's __init__.",
        ) from error
