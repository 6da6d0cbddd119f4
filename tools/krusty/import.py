#!/usr/bin/env python3
"""Turn kustomize's own end-to-end tests (package `api/krusty`) into fixture
directories with reference outputs.

    tools/krusty/import.py GIT_DIR [--tag kustomize/v5.5.0] [--dest DIR]

GIT_DIR is a (bare) git directory of github.com/kubernetes-sigs/kustomize.
The test files are read from it with `git show TAG:path`; nothing from that
repository is copied except the test data the tests themselves write.

Each test is *replayed* by a small evaluator of the Go subset the tests use
(see gosubset.py) against a model of the test harness: every file the test
writes to its (in-memory) file system is recorded, and every build it runs
(`th.Run`, `th.RunWithErr`, `krusty.MakeKustomizer(..).Run`) becomes one
fixture, with the files as they were at that moment:

    <dest>/<case>/input/...            the files, absolute harness paths under input/
    <dest>/<case>/case.json            test, file, dir, options, category, ...
    <dest>/<case>/expected.yaml        stdout of `kubectl kustomize` (v5.5.0)
    <dest>/<case>/expected-error.txt   or its stderr, when it fails
    <dest>/<case>/test-expected.yaml   the Go test's own expectation, when it
                                       differs from kubectl (or kubectl was not run)

Case names: TestName, TestName__subtest for t.Run sub-tests, and a __runN
suffix when one (sub)test builds more than once.

The importer is deterministic and idempotent: it deletes <dest> and writes
it again from the snapshot.  Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gosubset import (  # noqa: E402
    GoStruct,
    GoSubsetError,
    Interpreter,
    Unknown,
    go_sprintf,
    imports_of,
    parse_go,
    to_str,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DEST = REPO_ROOT / "crates" / "kustomize" / "tests" / "krusty"
KRUSTY = "api/krusty"
KUBECTL = os.environ.get("KUBECTL", "kubectl")

KUSTOMIZATION_HEADER = "\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
COMPONENT_HEADER = "\napiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
KUSTOMIZATION_NAMES = ["kustomization.yaml", "kustomization.yml", "Kustomization"]

# Cases whose category cannot be told from the files alone.  Keyed by case
# name; each entry says why.
# Checks a Go test makes by code (walking the resources) rather than by
# comparing text; stated here by hand so that they are not lost.
EXTRA_CHECKS = {
    "TestDisableNameSuffixHash__run1": ["name: foo-secret-bar-82c2g5f8f6"],
    "TestDisableNameSuffixHash__run2": ["name: foo-secret-bar\n"],
    "TestDisableNameSuffixHashPerObject": ["name: nohash\n", "name: yeshash-82c2g5f8f6"],
}

CATEGORY_OVERRIDES = {
    "TestAccumulateResourcesErrors__local_file_qualifies_as_repo": (
        "network",
        "the resource 'package@v1.28.0.example/configs/base' is taken for a git "
        "repository URL; kustomize runs `git fetch` against it",
    ),
}


# ---------------------------------------------------------------------------
# Snapshot access
# ---------------------------------------------------------------------------

class Snapshot:
    def __init__(self, git_dir: str, tag: str):
        self.git_dir = git_dir
        self.tag = tag
        self.commit = self._git("rev-parse", tag + "^{commit}").decode().strip()

    def _git(self, *args: str) -> bytes:
        return subprocess.run(
            ["git", "--git-dir", self.git_dir, *args],
            check=True, capture_output=True,
        ).stdout

    def read(self, path: str) -> bytes:
        return self._git("show", f"{self.commit}:{path}")

    def ls(self, path: str, recursive: bool = False) -> list[str]:
        args = ["ls-tree", "--name-only"]
        if recursive:
            args.append("-r")
        out = self._git(*args, self.commit, path.rstrip("/") + "/").decode()
        return [ln for ln in out.splitlines() if ln]

    def exists(self, path: str) -> bool:
        r = subprocess.run(["git", "--git-dir", self.git_dir, "cat-file", "-e",
                            f"{self.commit}:{path}"], capture_output=True)
        return r.returncode == 0


# ---------------------------------------------------------------------------
# Model of the test harness
# ---------------------------------------------------------------------------

class GoObject:
    """Exposes m_<Name> methods and f_<Name> fields to the evaluator."""

    def go_attr(self, name: str) -> Any:
        m = getattr(self, "m_" + name, None)
        if m is not None:
            return m
        if hasattr(self, "f_" + name):
            return getattr(self, "f_" + name)
        raise GoSubsetError(f"{type(self).__name__} has no member {name}")

    def go_setattr(self, name: str, value: Any) -> None:
        setattr(self, "f_" + name, value)


def norm_abs(path: str) -> str:
    """The harness file systems resolve relative paths against '/'."""
    if not isinstance(path, str):
        raise GoSubsetError(f"path is not a string: {path!r}")
    return posixpath.normpath(posixpath.join("/", path))


def as_bytes(content: Any) -> bytes:
    if isinstance(content, bytes):
        return content
    if isinstance(content, list):
        return bytes(content)
    if isinstance(content, str):
        return content.encode("utf-8", "surrogateescape")
    raise GoSubsetError(f"file content is not a string: {content!r}")


class FS(GoObject):
    def __init__(self, world: "World", kind: str):
        self.world = world
        self.kind = kind  # "mem" or "disk"
        self.files: dict[str, bytes] = {}
        self.modes: dict[str, int] = {}
        self.dirs: set[str] = {"/"}

    def write(self, path: str, content: Any) -> None:
        p = norm_abs(path)
        if p in self.dirs and p != "/":
            raise GoSubsetError(f"write of file over directory {p}")
        self.files[p] = as_bytes(content)
        d = posixpath.dirname(p)
        while d not in self.dirs:
            self.dirs.add(d)
            d = posixpath.dirname(d)

    def mkdir(self, path: str) -> None:
        d = norm_abs(path)
        while d not in self.dirs:
            self.dirs.add(d)
            d = posixpath.dirname(d)

    # Go-visible methods (filesys.FileSystem)
    def m_WriteFile(self, path, data):
        self.write(path, data)
        return None

    def m_Mkdir(self, path):
        self.mkdir(path)
        return None

    def m_MkdirAll(self, path):
        self.mkdir(path)
        return None

    def m_RemoveAll(self, path):
        p = norm_abs(path)
        for f in [f for f in self.files if f == p or f.startswith(p + "/")]:
            del self.files[f]
        return None

    def m_Exists(self, path):
        p = norm_abs(path)
        return p in self.files or p in self.dirs


class ConfirmedDir(GoObject):
    def __init__(self, path: str):
        self.path = path

    def m_String(self):
        return self.path

    def m_Join(self, *parts):
        return posixpath.join(self.path, *parts)


class ErrText:
    """The text of an error a build returned; only assertions look at it."""

    def __init__(self, run: "Run"):
        self.run = run

    def __repr__(self) -> str:
        return "<error text>"


class ErrValue(GoObject):
    """A non-nil error.  Either the (unknown) error of a build, or a
    sentinel error with a known message."""

    def __init__(self, run: "Run | None" = None, message: str | None = None, asyaml: bool = False):
        self.run = run
        self.message = message
        self.asyaml = asyaml

    def m_Error(self):
        if self.run is None:
            return self.message
        return ErrText(self.run)

    def go_error_text(self):
        return self.m_Error()


class YamlText:
    """The output of a build (ResMap.AsYaml / string of it)."""

    def __init__(self, run: "Run"):
        self.run = run

    def go_string(self):
        return self

    def go_bytes(self):
        return self


class ResMap(GoObject):
    def __init__(self, run: "Run"):
        self.run = run

    def m_AsYaml(self):
        return YamlText(self.run), ErrValue(self.run, asyaml=True)

    def m_RemoveBuildAnnotations(self):
        return None

    def m_Resources(self):
        return Unknown("ResMap.Resources")


class Run:
    def __init__(self, world: "World", fs: FS, dir_: str, options: GoStruct, how: str):
        self.world = world
        self.test = world.test
        self.path = list(world.subtests)
        self.fs_kind = fs.kind
        self.files = dict(fs.files)
        self.modes = dict(fs.modes)
        self.dir = norm_abs(dir_)
        self.how = how  # "Run", "RunWithErr", "Kustomizer.Run"
        self.expects: str | None = {"Run": "output", "RunWithErr": "error"}.get(how)
        self.test_expected: str | None = None
        self.test_output_contains: list[str] = []
        self.error_checks: list[list[str]] = []
        self.notes: list[str] = []
        self.features = world.features_for(self.path)
        self.tmpdirs = list(world.tmpdirs)
        pc = options.fields["PluginConfig"]
        pcf = pc.fields if isinstance(pc, GoStruct) else {}
        fnp = pcf.get("FnpLoadingOptions")
        helm = pcf.get("HelmConfig")
        self.options = {
            "load_restrictor": options.fields["LoadRestrictions"],
            "plugins": pcf.get("PluginRestrictions") == "PluginRestrictionsNone",
            "helm_enabled": bool(helm.fields.get("Enabled")) if isinstance(helm, GoStruct) else False,
            "exec_plugins": bool(fnp.fields.get("EnableExec")) if isinstance(fnp, GoStruct) else False,
            "test_reorder": options.fields["Reorder"],
            "add_managedby_label": bool(options.fields["AddManagedbyLabel"]),
        }

    def expect(self, kind: str, note: str | None = None) -> None:
        if self.expects is not None and self.expects != kind:
            self.notes.append(f"conflicting expectations: {self.expects} then {kind}")
        self.expects = kind
        if note:
            self.notes.append(note)


def make_plugin_config(enabled: bool) -> GoStruct:
    return GoStruct("PluginConfig", {
        "PluginRestrictions": "PluginRestrictionsNone" if enabled else "PluginRestrictionsBuiltinsOnly",
        "BpLoadingOptions": "BploLoadFromFileSys" if enabled else "BploUseStaticallyLinked",
        "FnpLoadingOptions": GoStruct("FnPluginLoadingOptions", {
            "EnableExec": False, "EnableStar": False, "Network": False,
            "NetworkName": "", "Mounts": None, "Env": None, "AsCurrentUser": False,
            "WorkingDir": "",
        }),
        "HelmConfig": GoStruct("HelmConfig", {
            "Enabled": enabled, "Command": "helmV3" if enabled else "",
            "ApiVersions": None, "KubeVersion": "", "Debug": False,
        }),
    })


def make_options(plugins: bool = False) -> GoStruct:
    return GoStruct("Options", {
        "Reorder": "none",
        "AddManagedbyLabel": False,
        "LoadRestrictions": "LoadRestrictionsRootOnly",
        "PluginConfig": make_plugin_config(plugins),
    })


class Harness(GoObject):
    def __init__(self, world: "World", fs: FS, enhanced: bool = False, root: str = "/"):
        self.world = world
        self.fs = fs
        self.enhanced = enhanced
        self.root = root
        self.plugin_config = make_plugin_config(True)
        # HarnessEnhanced embeds Harness
        self.f_Harness = self

    def m_WriteK(self, path, content):
        self.fs.write(posixpath.join(path, "kustomization.yaml"), KUSTOMIZATION_HEADER + to_str(content))

    def m_WriteC(self, path, content):
        self.fs.write(posixpath.join(path, "kustomization.yaml"), COMPONENT_HEADER + to_str(content))

    def m_WriteF(self, path, content):
        self.fs.write(path, content)

    def m_WriteLegacyConfigs(self, fname):
        self.fs.write(fname, self.world.importer.legacy_configs())

    def m_MakeDefaultOptions(self):
        return make_options(False)

    def m_MakeOptionsPluginsDisabled(self):
        return make_options(False)

    def m_MakeOptionsPluginsEnabled(self):
        return make_options(True)

    def m_Run(self, path, opts):
        run = self.world.add_run(self.fs, path, opts, "Run")
        return ResMap(run)

    def m_RunWithErr(self, path, opts):
        run = self.world.add_run(self.fs, path, opts, "RunWithErr")
        return ErrValue(run)

    def _assert(self, m, expected, note=None):
        if not isinstance(m, ResMap):
            raise GoSubsetError("assertion on something that is not a build result")
        if isinstance(expected, Unknown):
            m.run.expect("output", "the Go test's expected text depends on its environment "
                         f"({expected.what}); not recorded")
            return
        exp = to_str(expected)
        if exp.startswith("\n"):
            exp = exp[1:]
        m.run.test_expected = exp
        m.run.expect("output", note)

    def m_AssertActualEqualsExpected(self, m, expected):
        self._assert(m, expected)

    def m_AssertActualEqualsExpectedNoIdAnnotations(self, m, expected):
        self._assert(m, expected)

    def m_AssertActualEqualsExpectedWithTweak(self, m, tweak, expected):
        self._assert(m, expected, "the Go test rewrites the output before comparing (tweak function)")

    def m_GetT(self):
        return self.world.t

    def m_GetFSys(self):
        return self.fs

    # HarnessEnhanced
    def m_Reset(self):
        return None

    def m_PrepBuiltin(self, kind):
        return self

    def m_BuildGoPlugin(self, group, version, kind):
        self.world.add_feature(f"go-plugin:{group}/{version}/{kind}")
        return self

    def m_PrepExecPlugin(self, group, version, kind):
        self.world.add_feature(f"exec-plugin:{group}/{version}/{kind}")
        return self

    def m_ErrIfNoHelm(self):
        return None

    def m_GetRoot(self):
        return self.root

    def m_MkDir(self, path):
        d = posixpath.join(self.root, path)
        self.fs.mkdir(d)
        return d

    def m_GetPluginConfig(self):
        return self.plugin_config

    def m_ResetLoaderRoot(self, root):
        self.root = root
        self.fs.mkdir(root)


class Kustomizer(GoObject):
    def __init__(self, world: "World", opts: GoStruct):
        self.world = world
        self.opts = opts

    def m_Run(self, fs, path):
        if not isinstance(fs, FS):
            raise GoSubsetError("Kustomizer.Run on an unknown file system")
        run = self.world.add_run(fs, path, self.opts, "Kustomizer.Run")
        return ResMap(run), ErrValue(run)


class FakeServer(GoObject):
    def __init__(self):
        self.f_URL = "http://127.0.0.1:8080"

    def m_Close(self):
        return None


class T(GoObject):
    def __init__(self, world: "World"):
        self.world = world

    def m_Run(self, name, fn):
        w = self.world
        w.subtests.append(to_str(name))
        try:
            w.interp.call(fn, [T(w)])
        except GoSubsetError as e:
            w.failures["/".join(w.subtests)] = str(e)
        finally:
            w.subtests.pop()
        return True

    def _note(self, what):
        def f(*args):
            self.world.notes_for_path().append(what)
            return None
        return f

    def go_attr(self, name):
        if name in ("Helper", "Parallel", "Log", "Logf", "Cleanup"):
            return lambda *a: None
        if name in ("Skip", "SkipNow", "Skipf"):
            return self._note("the Go test calls t.Skip here")
        if name in ("Fatal", "Fatalf", "Error", "Errorf", "FailNow", "Fail"):
            # Reached when a check the replay cannot evaluate (e.g. one that
            # inspects resources by code) takes its failure branch.  Only
            # reported on stderr, for review.
            def warn(*args):
                self.world.importer.warnings.append(
                    f"{'/'.join([self.world.test, *self.world.subtests])}: replay reached t.{name}")
            return warn
        if name == "TempDir":
            return lambda: self.world.new_tmpdir("TempDir")
        if name == "Setenv":
            return lambda k, v: None
        if name == "Name":
            return lambda: "/".join([self.world.test, *self.world.subtests])
        return super().go_attr(name)


class World:
    """The state of one top-level test function while it is replayed."""

    def __init__(self, importer: "Importer", interp: Interpreter, test: str, file: str):
        self.importer = importer
        self.interp = interp
        self.test = test
        self.file = file
        self.runs: list[Run] = []
        self._features: dict[tuple, set[str]] = {}
        self.subtests: list[str] = []
        self.failures: dict[str, str] = {}
        self.notes: dict[str, list[str]] = {}
        self.tmpdirs: list[str] = []
        self.disk = FS(self, "disk")
        self.t = T(self)

    def add_feature(self, f: str) -> None:
        """Record something the (sub)test does, e.g. start a test server."""
        self._features.setdefault(tuple(self.subtests), set()).add(f)

    def features_for(self, path: list[str]) -> set[str]:
        out: set[str] = set()
        for p, fs in self._features.items():
            if tuple(path[:len(p)]) == p:
                out |= fs
        return out

    def notes_for_path(self) -> list[str]:
        return self.notes.setdefault("/".join(self.subtests), [])

    def new_tmpdir(self, kind: str) -> str:
        d = f"/tmp/krusty-{kind.lower()}-{len(self.tmpdirs) + 1}"
        self.tmpdirs.append(d)
        self.disk.mkdir(d)
        return d

    def add_run(self, fs: FS, path: Any, opts: Any, how: str) -> Run:
        if not isinstance(opts, GoStruct) or opts.typename != "Options":
            raise GoSubsetError("build options are not a krusty.Options value")
        run = Run(self, fs, to_str(path), opts, how)
        self.runs.append(run)
        return run


# ---------------------------------------------------------------------------
# Externals: the library functions the tests call
# ---------------------------------------------------------------------------

def is_err_text(v: Any) -> bool:
    return isinstance(v, ErrText)


def run_of_err(err: Any) -> "Run | None":
    if isinstance(err, ErrValue):
        return err.run
    return None


class Externals:
    def __init__(self, importer: "Importer"):
        self.importer = importer
        self.interp: Interpreter | None = None
        self._table: dict = {}
        self._table_for: World | None = None

    @property
    def world(self) -> World:
        return self.importer.world

    def __call__(self, pkg: str | None, name: str) -> Any:
        key = f"{pkg}.{name}" if pkg else name
        if self._table_for is not self.world:
            self._table = self.table()
            self._table_for = self.world
        if key in self._table:
            return self._table[key]
        # Anything else a test calls that we do not model: its result is
        # unknown.  The importer reports these so they can be reviewed.
        self.importer.unknown_externals.add(key)
        return Unknown(key)

    # assertions ------------------------------------------------------------
    def _err_check(self, err: Any, kind: str, text: str) -> bool:
        run = err.run if isinstance(err, (ErrText, ErrValue)) else None
        if run is None:
            return False
        run.expect("error")
        run.error_checks.append([kind, text])
        return True

    def strings_contains(self, s, sub):
        if is_err_text(s):
            return self._err_check(s, "contains", to_str(sub))
        if isinstance(s, YamlText):
            s.run.test_output_contains.append(to_str(sub))
            return True
        if isinstance(s, Unknown):
            return False
        return to_str(sub) in to_str(s)

    def assert_contains(self, t, s, sub, *rest):
        if is_err_text(s):
            return self._err_check(s, "contains", to_str(sub))
        if isinstance(s, YamlText):
            s.run.expect("output")
            s.run.test_output_contains.append(to_str(sub))
            return True
        return True

    def assert_equal(self, t, a, b, *rest):
        for x, y in ((a, b), (b, a)):
            if isinstance(x, YamlText):
                x.run.test_expected = to_str(y)
                x.run.expect("output")
                return True
            if is_err_text(x):
                return self._err_check(x, "equals", to_str(y))
        return True

    def require_error(self, t, err, *rest):
        run = run_of_err(err)
        if run is not None:
            run.expect("error")
        return True

    def require_no_error(self, t, err, *rest):
        if isinstance(err, ErrValue) and err.run is not None:
            if err.asyaml:
                return True
            err.run.expect("output")
        return True

    def error_contains(self, t, err, text, *rest):
        return self._err_check(err, "contains", to_str(text))

    def equal_error(self, t, err, text, *rest):
        return self._err_check(err, "equals", to_str(text))

    def regexp(self, t, pattern, s, *rest):
        if is_err_text(s):
            return self._err_check(s, "regexp", to_str(pattern))
        return True

    def error_is(self, t, err, target, *rest):
        name = target.message if isinstance(target, ErrValue) else str(target)
        return self._err_check(err, "is", name)

    def err_kind(self, kind: str):
        def f(err, *rest):
            return self._err_check(err, "kind", kind)
        return f

    # library ---------------------------------------------------------------
    def read_testdata(self, path):
        p = posixpath.normpath(posixpath.join(KRUSTY, to_str(path)))
        try:
            return self.importer.snap.read(p), None
        except subprocess.CalledProcessError:
            return None, ErrValue(message=f"open {path}: no such file or directory")

    def copy_dir(self, fs, src, dst):
        base = posixpath.normpath(posixpath.join(KRUSTY, to_str(src)))
        for f in self.importer.snap.ls(base, recursive=True):
            rel = posixpath.relpath(f, base)
            fs.write(posixpath.join(to_str(dst), rel), self.importer.snap.read(f))
        return None

    def sprintf(self, fmt, *args):
        if any(isinstance(a, Unknown) for a in args):
            return Unknown("fmt.Sprintf")
        return go_sprintf(to_str(fmt), list(args))

    def table(self) -> dict:
        w = self.world
        imp = self.importer

        def setup(t):
            return w.disk, ConfirmedDir(w.new_tmpdir("Setup"))

        def create_kust_dir(t, content):
            d = w.new_tmpdir("CreateKustDir")
            w.disk.write(posixpath.join(d, "kustomization.yaml"), content)
            return w.disk, ConfirmedDir(d)

        def chmod(path, mode):
            p = norm_abs(path)
            for fs in [w.disk] + [h for h in imp.mem_fss]:
                if p in fs.files:
                    fs.modes[p] = mode
            return None

        def mkdir_temp(dir_, pattern):
            d = posixpath.join(to_str(dir_), to_str(pattern).replace("*", "") + "1")
            w.disk.mkdir(d)
            return d, None

        def exec_command(*args):
            w.add_feature("exec:" + " ".join(to_str(a) for a in args[:2]))
            return Unknown("exec.Cmd")

        def look_path(name):
            w.add_feature("exec:" + to_str(name))
            return Unknown("LookPath"), Unknown("LookPath err")

        def new_server(handler):
            w.add_feature("network:httptest")
            return FakeServer()

        def mem_fs():
            fs = FS(w, "mem")
            imp.mem_fss.append(fs)
            return fs

        def make_harness(t):
            return Harness(w, mem_fs())

        def make_harness_with_fs(t, fs):
            return Harness(w, fs)

        def make_enhanced(t):
            return Harness(w, mem_fs(), enhanced=True)

        def make_enhanced_tmp(t):
            root = w.new_tmpdir("TmpRoot")
            return Harness(w, w.disk, enhanced=True, root=root)

        return {
            "kusttest_test.MakeHarness": make_harness,
            "kusttest_test.MakeHarnessWithFs": make_harness_with_fs,
            "kusttest_test.MakeEnhancedHarness": make_enhanced,
            "kusttest_test.MakeEnhancedHarnessWithTmpRoot": make_enhanced_tmp,
            "kusttest_test.Setup": setup,
            "kusttest_test.CreateKustDir": create_kust_dir,
            "filesys.MakeFsInMemory": mem_fs,
            "filesys.MakeFsOnDisk": lambda: w.disk,
            "filesys.NewTmpConfirmedDir": lambda: (ConfirmedDir(w.new_tmpdir("ConfirmedDir")), None),
            "filesys.Separator": "/",
            "filepath.Join": lambda *p: posixpath.normpath(posixpath.join(*[to_str(x) for x in p])) if p and any(p) else "",
            "filepath.Dir": lambda p: posixpath.dirname(posixpath.normpath(to_str(p))) or ".",
            "filepath.Base": lambda p: posixpath.basename(posixpath.normpath(to_str(p))),
            "filepath.EvalSymlinks": lambda p: (p, None),
            "fmt.Sprintf": self.sprintf,
            "fmt.Errorf": lambda fmt, *a: ErrValue(message=go_sprintf(to_str(fmt), list(a))),
            "strings.Contains": self.strings_contains,
            "strings.ReplaceAll": lambda s, a, b: to_str(s).replace(to_str(a), to_str(b)),
            "strings.Replace": lambda s, a, b, n: to_str(s).replace(to_str(a), to_str(b), n if n >= 0 else -1),
            "strings.Join": lambda xs, sep: to_str(sep).join(to_str(x) for x in xs),
            "strings.HasPrefix": lambda s, p: isinstance(s, str) and s.startswith(to_str(p)),
            "strings.HasSuffix": lambda s, p: isinstance(s, str) and s.endswith(to_str(p)),
            "strings.Repeat": lambda s, n: to_str(s) * n,
            "strings.TrimSpace": lambda s: to_str(s).strip(),
            "strings.Split": lambda s, sep: to_str(s).split(to_str(sep)),
            "regexp.QuoteMeta": lambda s: re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", to_str(s)),
            "regexp.MustCompile": lambda s: Unknown("regexp"),
            "konfig.DefaultKustomizationFileName": lambda: "kustomization.yaml",
            "konfig.RecognizedKustomizationFileNames": lambda: list(KUSTOMIZATION_NAMES),
            "konfig.KustomizePluginHomeEnv": "KUSTOMIZE_PLUGIN_HOME",
            "konfig.BuiltinPluginPackage": "builtin",
            "krusty.MakeKustomizer": lambda o: Kustomizer(w, o),
            "MakeKustomizer": lambda o: Kustomizer(w, o),
            "krusty.MakeDefaultOptions": lambda: make_options(False),
            "MakeDefaultOptions": lambda: make_options(False),
            "krusty.ReorderOptionLegacy": "legacy",
            "krusty.ReorderOptionNone": "none",
            "krusty.ReorderOptionUnspecified": "unspecified",
            "types.LoadRestrictionsNone": "LoadRestrictionsNone",
            "types.LoadRestrictionsRootOnly": "LoadRestrictionsRootOnly",
            "types.BploUseStaticallyLinked": "BploUseStaticallyLinked",
            "types.BploLoadFromFileSys": "BploLoadFromFileSys",
            "types.IsErrOnlyBuiltinPluginsAllowed": self.err_kind("only builtin plugins are allowed (types.IsErrOnlyBuiltinPluginsAllowed)"),
            "IsMissingKustomizationFileError": self.err_kind("missing kustomization file (target.IsMissingKustomizationFileError)"),
            "kusterr.IsMalformedYAMLError": self.err_kind("malformed YAML (kusterr.IsMalformedYAMLError)"),
            "utils.IsErrTimeout": lambda err: False,
            "loader.ErrRtNotDir": ErrValue(message="must build at directory"),
            "loader.ErrHTTP": ErrValue(message="HTTP Error"),
            "kubernetesapi.DefaultOpenAPI": "v1.21.2",
            "openapi.ResetOpenAPI": lambda: None,
            "openapi.GetSchemaVersion": lambda: Unknown("openapi.GetSchemaVersion"),
            "require.NoError": self.require_no_error,
            "assert.NoError": self.require_no_error,
            "require.Error": self.require_error,
            "assert.Error": self.require_error,
            "require.Equal": self.assert_equal,
            "assert.Equal": self.assert_equal,
            "require.Contains": self.assert_contains,
            "assert.Contains": self.assert_contains,
            "require.ErrorContains": self.error_contains,
            "assert.ErrorContains": self.error_contains,
            "assert.EqualError": self.equal_error,
            "require.EqualError": self.equal_error,
            "require.Regexp": self.regexp,
            "assert.Regexp": self.regexp,
            "require.ErrorIs": self.error_is,
            "assert.ErrorIs": self.error_is,
            "os.ReadFile": self.read_testdata,
            "os.Chmod": chmod,
            "os.MkdirTemp": mkdir_temp,
            "os.LookupEnv": lambda k: (Unknown("env " + to_str(k)), True),
            "os.Getenv": lambda k: Unknown("env " + to_str(k)),
            "copyutil.CopyDir": self.copy_dir,
            "exec.Command": exec_command,
            "exec.LookPath": look_path,
            "http.NewServeMux": lambda: Unknown("ServeMux"),
            "http.StatusNotFound": 404,
            "http.StatusInternalServerError": 500,
            "httptest.NewServer": new_server,
        }


# ---------------------------------------------------------------------------
# The importer
# ---------------------------------------------------------------------------

def sanitize(name: str) -> str:
    s = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")
    return s or "unnamed"


# A remote source in a kustomization (or helm generator config): a list item
# or a path/repo/url value that is a URL, scp-like git address or github path.
REMOTE_RE = re.compile(
    r"""(?mx)
    ^\s*(?:-\s+|(?:path|repo|url|chartRepoUrl)\s*:\s+)['"]?(
        (?:https?|oci|ssh|file|git)://\S+
      | git@\S+
      | git::\S+
      | github\.com/\S+
    )""")

HELM_RE = re.compile(r"(?m)^\s*helmCharts\s*:|kind:\s*HelmChartInflationGenerator|^\s*helmChartInflationGenerator\s*:")
FUNCTION_RE = re.compile(r"config\.kubernetes\.io/function|^kind:\s*executable|\bexec:\s*\n\s*path:", re.M)


class Case:
    def __init__(self, name: str, run: Run | None, world: World):
        self.name = name
        self.run = run
        self.world = world
        self.meta: dict[str, Any] = {}
        self.inputs: dict[str, bytes] = {}


class Importer:
    def __init__(self, snap: Snapshot, dest: Path, run_kubectl: bool = True, only: str | None = None):
        self.snap = snap
        self.dest = dest
        self.run_kubectl = run_kubectl
        self.only = only
        self.world: World | None = None
        self.mem_fss: list[FS] = []
        self.unknown_externals: set[str] = set()
        self.warnings: list[str] = []
        self._legacy: bytes | None = None

    def legacy_configs(self) -> bytes:
        """th.WriteLegacyConfigs: kustomize's default field specs, one after
        the other (Go iterates a map here, so its order varies; this uses
        the order of the map's keys)."""
        if self._legacy is None:
            base = "api/internal/konfig/builtinpluginconsts"
            consts: dict[str, str] = {}
            keymap: dict[str, str] = {}
            for f in self.snap.ls(base):
                if not f.endswith(".go"):
                    continue
                src = self.snap.read(f).decode()
                for m in re.finditer(r"(\w+FieldSpecs)\s*=\s*`(.*?)`", src, re.S):
                    consts[m.group(1)] = m.group(2)
                for m in re.finditer(r'result\["(\w+)"\]\s*=\s*(\w+)', src):
                    keymap[m.group(1)] = m.group(2)
            if not keymap:
                raise GoSubsetError("default field specs not found in the snapshot")
            self._legacy = "".join(consts[keymap[k]] for k in sorted(keymap)).encode()
        return self._legacy

    # -- replay ------------------------------------------------------------
    def test_files(self) -> list[str]:
        return sorted(f for f in self.snap.ls(KRUSTY) if f.endswith("_test.go"))

    def replay(self) -> list[Case]:
        decls: list = []
        imports: set[str] = set()
        tests: list[tuple[str, str]] = []
        sources = {}
        for f in self.test_files():
            src = self.snap.read(f).decode("utf-8")
            sources[f] = src
            try:
                d = parse_go(src, posixpath.basename(f))
            except GoSubsetError as e:
                raise SystemExit(f"cannot parse {f}: {e}")
            decls.extend(d)
            imports |= {a for a in imports_of(src) if not a.startswith(".")}
            for x in d:
                if type(x).__name__ == "FuncDecl" and re.match(r"Test[A-Z0-9_]", x.name) and x.body is not None:
                    tests.append((x.name, posixpath.basename(f)))
        ext = Externals(self)
        interp = Interpreter(decls, imports, ext)
        ext.interp = interp
        cases: list[Case] = []
        for name, fname in tests:
            if self.only and not re.search(self.only, name):
                continue
            world = World(self, interp, name, fname)
            self.world = world
            self.mem_fss = []
            fn = interp.globals.vars[name]
            try:
                interp.call(fn, [world.t])
            except GoSubsetError as e:
                world.failures[""] = str(e)
            cases.extend(self.cases_of(world))
        return cases

    def cases_of(self, world: World) -> list[Case]:
        by_path: dict[tuple, list[Run]] = {}
        for r in world.runs:
            by_path.setdefault(tuple(r.path), []).append(r)
        out: list[Case] = []
        for path, runs in by_path.items():
            base = "__".join([world.test] + [sanitize(p) for p in path])
            for i, r in enumerate(runs, 1):
                name = base if len(runs) == 1 else f"{base}__run{i}"
                out.append(self.make_case(name, r, world))
        # Tests (or sub-tests) the replay could not follow.
        for p, reason in sorted(world.failures.items()):
            name = "__".join([world.test] + [sanitize(x) for x in p.split("/") if x])
            matching = [c for c in out if c.name == name or c.name.startswith(name + "__")]
            if matching:
                for c in matching:
                    c.meta["category"] = "unparsed"
                    c.meta["reason"] = f"replay stopped after this build: {reason}"
                continue
            c = Case(name, None, world)
            c.meta = {
                "test": world.test, "file": world.file, "category": "unparsed",
                "reason": reason, "dir": None, "options": {},
                "kustomize_test_expects": None,
            }
            if p:
                c.meta["subtest"] = p
            out.append(c)
        if not world.runs and not world.failures:
            c = Case(world.test, None, world)
            c.meta = {
                "test": world.test, "file": world.file, "category": "unparsed",
                "reason": "the test builds nothing through the harness or krusty.Kustomizer",
                "dir": None, "options": {}, "kustomize_test_expects": None,
            }
            out.append(c)
        return out

    # -- one case ------------------------------------------------------------
    def make_case(self, name: str, run: Run, world: World) -> Case:
        c = Case(name, run, world)
        notes = list(run.notes)
        notes += world.notes.get("/".join(run.path), [])
        # A build inside a temp dir sees that dir: the fixture holds what the
        # test wrote there (other temp dirs belong to other sub-tests), with
        # the temp dir itself stripped so that input/ is its root.
        strip = "/"
        files = run.files
        for d in run.tmpdirs:
            if run.dir == d or run.dir.startswith(d + "/"):
                strip = d + "/"
                files = {f: v for f, v in run.files.items() if f.startswith(strip)}
                break
        omitted = []
        for f, data in sorted(files.items()):
            rel = f[len(strip):] if f.startswith(strip) else f.lstrip("/")
            if run.modes.get(f, 0) & 0o111 or data.startswith(b"#!"):
                # Executable plugins the tests write are programs, not test
                # data: they are left out (their cases are excluded anyway).
                omitted.append(rel)
                continue
            c.inputs[rel] = data
        if strip != "/" and not any(strip.encode() in v for v in c.inputs.values()):
            for chk in run.error_checks:
                chk[1] = chk[1].replace(strip, "/")
        rel_dir = "." if run.dir + "/" == strip or run.dir == "/" else (
            run.dir[len(strip):] if run.dir.startswith(strip) else run.dir.lstrip("/"))
        texts = {k: v.decode("utf-8", "replace") for k, v in c.inputs.items()}
        kust_texts = [v for k, v in texts.items()
                      if posixpath.basename(k) in KUSTOMIZATION_NAMES or HELM_RE.search(v)]

        opts = run.options
        uses_helm = any(HELM_RE.search(t) for t in kust_texts)
        enable_helm = bool(uses_helm and opts["helm_enabled"])
        category = "ok"
        reason = None
        exec_features = sorted(f for f in run.features if f.startswith(("exec-plugin:", "go-plugin:", "exec:")))
        remote = sorted({m.group(1).strip("'\",") for t in kust_texts for m in REMOTE_RE.finditer(t)})
        network_features = sorted(f for f in run.features if f.startswith("network:"))
        uses_functions = any(FUNCTION_RE.search(t) for t in kust_texts)
        plugins_on = opts["plugins"] or opts["exec_plugins"]
        if plugins_on and (exec_features or uses_functions or opts["exec_plugins"]):
            category = "plugin-exec"
            what = exec_features or (["KRM function config"] if uses_functions else ["exec plugins enabled"])
            reason = "needs non-builtin plugins: " + ", ".join(what)
        elif remote or network_features:
            category = "network"
            reason = "remote sources: " + ", ".join(remote + network_features)
        if name in CATEGORY_OVERRIDES:
            category, reason = CATEGORY_OVERRIDES[name]
        # An absolute path into the test's temp dir that names a file the
        # test wrote cannot be expressed in a relocatable fixture.
        if category == "ok":
            for td in run.tmpdirs:
                for t in texts.values():
                    for m in re.finditer(re.escape(td) + r"[^\s'\"]*", t):
                        p = m.group(0)
                        if p in files or any(f.startswith(p.rstrip("/") + "/") for f in files):
                            category = "unparsed"
                            reason = (f"the kustomization names the absolute path {p} of a file the test "
                                      "wrote in its temp dir; a relocatable fixture cannot reproduce it")
        expects = run.expects or ("output" if run.how == "Run" else None)
        if expects is None:
            notes.append("the Go test does not assert on this build's result")
        meta: dict[str, Any] = {
            "test": world.test,
            "file": world.file,
            "dir": rel_dir,
            "options": {
                "enable_helm": enable_helm,
                "load_restrictor": opts["load_restrictor"],
                "plugins": opts["plugins"],
                "exec_plugins": opts["exec_plugins"],
                "test_reorder": opts["test_reorder"],
                "add_managedby_label": opts["add_managedby_label"],
            },
            "category": category,
            "kustomize_test_expects": expects,
        }
        if run.path:
            meta["subtest"] = "/".join(run.path)
        if reason:
            meta["reason"] = reason
        if run.error_checks:
            meta["test_error_checks"] = run.error_checks
        if omitted:
            meta["omitted_files"] = omitted
            notes.append("executable plugin scripts the test writes are not copied (omitted_files)")
        contains = run.test_output_contains + EXTRA_CHECKS.get(name, [])
        if contains:
            meta["test_output_contains"] = contains
        if notes:
            meta["notes"] = sorted(set(notes))
        c.meta = meta
        return c

    # -- kubectl -------------------------------------------------------------
    def kubectl_args(self, meta: dict) -> list[str]:
        o = meta["options"]
        args = [KUBECTL, "kustomize"]
        if o.get("enable_helm"):
            args.append("--enable-helm")
        if o.get("load_restrictor") and o["load_restrictor"] != "LoadRestrictionsRootOnly":
            args += ["--load-restrictor", o["load_restrictor"]]
        return args

    def reference(self, c: Case, case_dir: Path) -> None:
        meta = c.meta
        run = c.run
        test_expected = run.test_expected if run is not None else None
        if meta["category"] != "ok":
            meta["kubectl"] = "not-run"
            if test_expected is not None:
                (case_dir / "test-expected.yaml").write_text(test_expected)
            return
        if meta["options"]["enable_helm"]:
            # No helm binary here: the Go test's expectation stands in.
            meta["kubectl"] = "not-run"
            meta["expected_from_test"] = True
            if test_expected is not None:
                (case_dir / "expected.yaml").write_text(test_expected)
            else:
                meta["notes"] = sorted(set(meta.get("notes", []) + ["no expected output: helm is not installed and the test states none"]))
            return
        if not self.run_kubectl:
            meta["kubectl"] = "not-run"
            return
        # Build a copy at a fixed location so that messages quoting the
        # absolute path do not depend on where the repository is checked out.
        with tempfile.TemporaryDirectory(prefix="krusty-") as tmp:
            work = Path(tmp) / "input"
            shutil.copytree(case_dir / "input", work) if (case_dir / "input").exists() else work.mkdir()
            target = work if meta["dir"] == "." else work / meta["dir"]
            args = self.kubectl_args(meta) + [str(target)]
            p = subprocess.run(args, capture_output=True, timeout=120, cwd=tmp,
                               env=dict(os.environ, HOME=tmp, KUBECONFIG=os.devnull))
            stderr = normalise_stderr(p.stderr.decode("utf-8", "replace"))
            outside = False
            for root in sorted({str(work), os.path.realpath(work)}, key=len, reverse=True):
                stderr = stderr.replace(root, "$INPUT")
            for root in sorted({tmp, os.path.realpath(tmp)}, key=len, reverse=True):
                if root + "/" in stderr:
                    outside = True
                    stderr = stderr.replace(root + "/", "$INPUT/../")
        if outside:
            meta.setdefault("notes", []).append(
                "kubectl looks outside input/: the Go test's in-memory file system keeps '..' "
                "at '/' where a disk does not")
        if p.returncode == 0:
            meta["kubectl"] = "builds"
            out = p.stdout.decode("utf-8", "surrogateescape")
            (case_dir / "expected.yaml").write_bytes(p.stdout)
            if meta["kustomize_test_expects"] == "error":
                meta["test_expectation_differs"] = True
                meta["difference"] = "kubectl builds where the Go test expects an error"
            elif test_expected is not None and test_expected != out:
                meta["test_expectation_differs"] = True
                meta["difference"] = "order-only" if sorted(split_docs(test_expected)) == sorted(split_docs(out)) else "content"
                (case_dir / "test-expected.yaml").write_text(test_expected)
            elif meta.get("test_output_contains"):
                missing = [s for s in meta["test_output_contains"] if s not in out]
                if missing:
                    meta["test_expectation_differs"] = True
                    meta["difference"] = "output lacks text the Go test looks for"
        else:
            meta["kubectl"] = "rejects"
            lines = [ln for ln in stderr.splitlines() if not ln.startswith("# Warning:")]
            (case_dir / "expected-error.txt").write_text("\n".join(lines).rstrip("\n") + "\n")
            if meta["kustomize_test_expects"] == "output":
                meta["test_expectation_differs"] = True
                meta["difference"] = "kubectl rejects what the Go test builds"
                if test_expected is not None:
                    (case_dir / "test-expected.yaml").write_text(test_expected)
            elif meta.get("test_error_checks"):
                plain = stderr.replace("$INPUT", "")
                ok = all(error_check_holds(k, t, plain) for k, t in meta["test_error_checks"])
                meta["test_error_checks_hold"] = ok

    # -- writing -------------------------------------------------------------
    def write(self, cases: list[Case]) -> None:
        names = [c.name for c in cases]
        dups = {n for n in names if names.count(n) > 1}
        if dups:
            raise SystemExit(f"duplicate case names: {sorted(dups)}")
        if self.dest.exists():
            shutil.rmtree(self.dest)
        self.dest.mkdir(parents=True)
        for c in sorted(cases, key=lambda c: c.name):
            d = self.dest / c.name
            d.mkdir()
            for rel, data in sorted(c.inputs.items()):
                p = d / "input" / rel
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_bytes(data)
            if c.run is not None:
                self.reference(c, d)
            (d / "case.json").write_text(json.dumps(c.meta, indent=2, sort_keys=True) + "\n")
            print(f"{c.meta['category']:12} {c.meta.get('kubectl', '-'):8} {c.name}", file=sys.stderr)


KLOG_RE = re.compile(r'^[EWIF]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ [\w.]+:\d+\] "command failed" err="(.*)"$')


KLOG_MULTI_RE = re.compile(r'^[EWIF]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ [\w.]+:\d+\] "command failed" err=<$')


def normalise_stderr(text: str) -> str:
    """kubectl 1.32 reports a failed command through klog, with a timestamp
    and a pid: keep only the message, as `error: ...`.  Go pointer values
    printed in some messages vary from run to run: they become 0xADDR."""
    out = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        ln = lines[i]
        m = KLOG_RE.match(ln)
        if m:
            out.append("error: " + decode_go_quoted(m.group(1)))
        elif KLOG_MULTI_RE.match(ln):
            body = []
            i += 1
            while i < len(lines) and lines[i] != " >":
                body.append(lines[i][1:] if lines[i].startswith("\t") else lines[i])
                i += 1
            out.append("error: " + "\n".join(body))
        else:
            out.append(ln)
        i += 1
    return re.sub(r"0x[0-9a-f]{6,}", "0xADDR", "\n".join(out))


def decode_go_quoted(body: str) -> str:
    from gosubset import _decode_escapes
    return _decode_escapes(body, 0)


def split_docs(text: str) -> list[str]:
    return [d.strip("\n") for d in re.split(r"(?m)^---\n", text) if d.strip()]


def error_check_holds(kind: str, text: str, stderr: str) -> bool:
    if kind == "contains" or kind == "equals":
        return text in stderr
    if kind == "regexp":
        return re.search(text, stderr) is not None
    return True  # "kind"/"is" checks name a Go error type: not checkable here


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("git_dir", help="git directory of kubernetes-sigs/kustomize")
    ap.add_argument("--tag", default="kustomize/v5.5.0")
    ap.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    ap.add_argument("--no-kubectl", action="store_true", help="do not compute reference outputs")
    ap.add_argument("--only", help="regexp: replay only matching test functions (for debugging; implies a partial tree)")
    args = ap.parse_args()
    if args.only and args.dest.resolve() == DEFAULT_DEST.resolve():
        ap.error("--only writes a partial tree: give a --dest other than the fixture directory")
    snap = Snapshot(args.git_dir, args.tag)
    imp = Importer(snap, args.dest, run_kubectl=not args.no_kubectl, only=args.only)
    cases = imp.replay()
    imp.write(cases)
    counts: dict[str, int] = {}
    for c in cases:
        counts[c.meta["category"]] = counts.get(c.meta["category"], 0) + 1
    print(f"{len(cases)} cases: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), file=sys.stderr)
    for w in imp.warnings:
        print("warning: " + w, file=sys.stderr)
    if imp.unknown_externals:
        print("calls modelled as unknown: " + ", ".join(sorted(imp.unknown_externals)), file=sys.stderr)


if __name__ == "__main__":
    main()
