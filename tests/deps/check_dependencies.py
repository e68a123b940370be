#!/usr/bin/python3
"""The Debian dependencies are all in tools/debian-packages.txt, the one list tools/setup.sh installs.

CTest runs this first (the other tests wait for it): on a machine where something was installed by
hand and never listed, or where the list was not installed, it fails at once and names the package,
instead of a test failing twenty minutes later with "No module named ...". It checks, with Debian's
/usr/bin/python3 and dpkg:

  - Python: every module imported (parsed with ast) by a .py file under tests/, tools/ and bench/.
    Standard-library and the repository's own modules are fine; any other must resolve for
    /usr/bin/python3 to a file that dpkg says a listed package owns (or one of their dependencies).
  - Programs: every program the shell scripts (tests/, tools/, bench/, .ci/; parsed with shfmt) and
    the Python files (subprocess calls) run. A program must be a shell builtin, come from an
    Essential or required package (coreutils, grep, sed, mawk, apt, ...), be the repository's own, or
    be in PROGRAMS below, whose package must be listed and installed and must be what the program on
    disk comes from.
  - CMake: every find_package / pkg_check_modules of the CMakeLists.txt files must resolve (in the
    configured build directory given as argument) to a file owned by a listed package.
  - Every listed package is installed (tools/setup.sh installs them).

    /usr/bin/python3 tests/deps/check_dependencies.py [BUILD_DIR] [--list OTHER_LIST]

Exit 0 with one line per check, or 1 with one line per problem, each naming what is missing.
"""
import argparse
import ast
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIST = "tools/debian-packages.txt"
SCANNED = ("tests", "tools", "bench", ".ci")
SKIPPED_DIRS = {"node_modules", "__pycache__", ".git"}
DEBIAN_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"

# Programs that are neither builtins nor from the base system (Essential or Priority: required
# packages, on every Debian machine): the Debian package each comes
# from. Checked: the package must be in the list and installed, and the program on disk must belong
# to it (or to a package it depends on, or one that provides it).
PROGRAMS = {
    "python3": "python3",
    "git": "git",
    "node": "nodejs",
    "npm": "npm",
    "cmake": "cmake",
    "ctest": "cmake",
    "ninja": "ninja-build",
    "g++": "g++",
    "c++": "g++",
    "clang": "clang",
    "clang++": "clang",
    "chromium": "chromium",
    "pkg-config": "pkg-config",
    "shfmt": "shfmt",
    "time": "time",
}
# Programs that are not in the list on purpose.
BASE_SYSTEM = {
    "sudo": "tools/setup.sh and tools/fetch_tokenizer_fixture.sh use it only when not root; the machines and CI run as root",
}
# CMake packages found by CMake's own Find modules (no <Name>_DIR in the cache): their package.
CMAKE_FIND_MODULES = {
    "GTest": "libgtest-dev",
    "Python3": "python3",
    "PkgConfig": "pkg-config",
    "Threads": None,  # libc
}
# Wrappers that run their arguments as a command.
PREFIX_COMMANDS = {"exec", "command", "builtin", "env", "nice", "nohup", "timeout", "xargs", "sudo", "stdbuf"}


def rel(path):
    return os.path.relpath(path, ROOT)


def run(cmd, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"}, **kwargs)


# ---- the list and the package database ------------------------------------------------------------

def read_list(path):
    with open(path, encoding="utf-8") as f:
        return {word for line in f for word in line.split("#", 1)[0].split()}


class Dpkg:
    """Installed packages: what each provides and depends on."""

    def __init__(self):
        out = run(["dpkg-query", "-W", "-f=${db:Status-Abbrev}\t${Package}\t${Essential}\t${Priority}\t${Provides}\t"
                                         "${Pre-Depends}\t${Depends}\n"]).stdout
        self.installed, self.base, self.providers, self.depends = set(), set(), {}, {}
        for line in out.splitlines():
            status, name, essential, priority, provides, pre, deps = line.split("\t")
            if not status.startswith("ii"):
                continue
            self.installed.add(name)
            if essential == "yes" or priority == "required":  # on every Debian system
                self.base.add(name)
            for p in self.names(provides):
                self.providers.setdefault(p, set()).add(name)
            self.depends[name] = [alt for alt in (pre + "," + deps).split(",") if alt.strip()]

    @staticmethod
    def names(field):
        return [re.sub(r"[\s(].*|:\w+$", "", p.strip()) for p in field.split(",") if p.strip()]

    def present(self, package):
        """Installed, or provided by an installed package."""
        return package in self.installed or bool(self.providers.get(package))

    def resolve(self, package):
        return {package} & self.installed | self.providers.get(package, set())

    def closure(self, packages):
        """The installed packages that satisfy `packages` and, recursively, their dependencies."""
        seen, todo = set(), [p for name in packages for p in self.resolve(name)]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            for alternatives in self.depends.get(name, []):
                for alt in self.names(alternatives.replace("|", ",")):
                    todo.extend(self.resolve(alt) - seen)
        return seen


class Owners:
    """dpkg -S, asked once for every path the checks need (one call takes seconds)."""

    def __init__(self):
        self.found, self.pending = {}, set()

    @staticmethod
    def variants(path):
        """The path, its target, and their spellings on either side of the /usr merge (dpkg knows
        /bin/cat, the system finds /usr/bin/cat)."""
        out = set()
        for p in {path, os.path.realpath(path)}:
            out.add(p)
            for merged in ("/bin", "/sbin", "/lib", "/lib64"):
                if p.startswith(merged + "/"):
                    out.add("/usr" + p)
                elif p.startswith("/usr" + merged + "/"):
                    out.add(p[len("/usr"):])
        return out

    def want(self, *paths):
        for path in paths:
            if path:
                self.pending |= self.variants(path) - set(self.found)

    def __getitem__(self, path):
        self.want(path)
        if self.pending:
            batch = sorted(self.pending)
            self.pending.clear()
            self.found.update({p: set() for p in batch})
            for line in run(["dpkg", "-S", *batch]).stdout.splitlines():
                if line.startswith("diversion by"):
                    continue
                packages, _, owned = line.partition(": ")
                if owned in self.found:
                    self.found[owned] |= {re.sub(r":\w+$", "", p.strip()) for p in packages.split(",")}
        return set().union(*(self.found[p] for p in self.variants(path))) if path else set()


# ---- the files scanned ----------------------------------------------------------------------------

def scanned_files():
    for top in SCANNED:
        for directory, dirs, files in os.walk(os.path.join(ROOT, top)):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
            for name in sorted(files):
                yield os.path.join(directory, name)


def is_shell(path):
    if path.endswith(".sh"):
        return True
    try:
        with open(path, "rb") as f:
            first = f.readline(200)
    except OSError:
        return False
    return first.startswith(b"#!") and re.search(rb"\b(ba|da|k|z)?sh\b", first) is not None


# ---- Python ---------------------------------------------------------------------------------------

def python_imports(path, tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], node.lineno


SUBPROCESS_CALLS = {"run", "Popen", "call", "check_call", "check_output"}


def callee(node):
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None


def python_programs(tree):
    """(program or None, line) for each subprocess call: the literal first element of its command,
    following local list variables, module string constants and helpers that pass a parameter on."""
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            constants[node.targets[0].id] = node.value

    def first_word(expr, scope):
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):  # [PROGRAM, ...] + rest
            expr = expr.left
        if isinstance(expr, (ast.List, ast.Tuple)) and expr.elts:
            expr = expr.elts[0]
        elif isinstance(expr, ast.Name) and expr.id in scope:
            return [w for value in scope[expr.id] for w in first_word(value, {})]
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return [expr.value.split()[0] if expr.value.split() else expr.value]
        if isinstance(expr, ast.Name) and isinstance(constants.get(expr.id), ast.Constant):
            return first_word(constants[expr.id], {})
        if isinstance(expr, ast.Attribute) and expr.attr == "executable":  # sys.executable
            return ["python3"]
        return [None]  # computed: the project's own binaries, passed in by CTest

    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]

    def scope_of(function):
        scope = {}
        for node in ast.walk(function) if function else tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                scope.setdefault(node.targets[0].id, []).append(node.value)
        return scope

    helpers = {}  # function name -> index of the parameter it runs as a command
    for function in functions:
        params = [a.arg for a in function.args.args]
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and callee(node) in SUBPROCESS_CALLS and node.args and \
                    isinstance(node.args[0], ast.Name) and node.args[0].id in params:
                index = params.index(node.args[0].id)
                helpers[function.name] = index - 1 if params[0] == "self" else index
    found = []
    for function in [None, *functions]:
        scope = scope_of(function)
        nodes = ast.walk(function) if function else (n for top in tree.body if not isinstance(
            top, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for n in ast.walk(top))
        for node in nodes:
            if not isinstance(node, ast.Call):
                continue
            name = callee(node)
            command = None
            if name in SUBPROCESS_CALLS and isinstance(node.func, ast.Attribute) and node.args:
                command = node.args[0]
            elif name in helpers and len(node.args) > helpers[name]:
                command = node.args[helpers[name]]
            if command is None or (name in SUBPROCESS_CALLS and isinstance(command, ast.Name) and function
                                   and command.id in [a.arg for a in function.args.args]):
                continue
            found += [(word, node.lineno) for word in first_word(command, scope)]
    return found


# ---- shell ----------------------------------------------------------------------------------------

def word_literal(word):
    """The word's text when it is literal (no expansion), else None."""
    text = []
    for part in word.get("Parts", []):
        kind = part.get("Type")
        if kind in ("Lit", "SglQuoted"):
            text.append(part.get("Value", ""))
        elif kind == "DblQuoted" and all(p.get("Type") == "Lit" for p in part.get("Parts", [])):
            text.extend(p.get("Value", "") for p in part.get("Parts", []))
        else:
            return None
    return "".join(text)


def shell_programs(path):
    """(program, line) for every command a shell script runs; (None, line) for a computed one that
    cannot be resolved. Variables assigned a literal value are followed ($PY -> /usr/bin/python3)."""
    with open(path, "rb") as f:
        parsed = run(["shfmt", "--to-json", "--filename", path], input=f.read().decode("utf-8", "replace"))
    if parsed.returncode != 0:
        raise RuntimeError(f"shfmt cannot parse {rel(path)}: {parsed.stderr.strip()}")
    tree = json.loads(parsed.stdout)
    variables, functions, calls = {}, set(), []

    def walk(node):
        if isinstance(node, dict):
            kind = node.get("Type")
            if kind == "FuncDecl":
                functions.add(node["Name"]["Value"])
            if kind == "CallExpr":
                for assign in node.get("Assigns") or []:
                    value = word_literal(assign.get("Value") or {})
                    if value is not None and not node.get("Args"):
                        variables.setdefault(assign["Name"]["Value"], set()).add(value)
                if node.get("Args"):
                    calls.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tree)
    found = []
    for call in calls:
        args, line = call["Args"], call["Pos"]["Line"]
        i = 0
        while i < len(args):
            text = word_literal(args[i])
            if text is None:
                parts = args[i].get("Parts", [])
                inner = parts[0].get("Parts", parts) if len(parts) == 1 and parts[0].get("Type") == "DblQuoted" else parts
                if len(inner) == 1 and inner[0].get("Type") == "ParamExp" and not inner[0].get("Index") \
                        and inner[0]["Param"]["Value"] in variables:
                    found += [(v.split()[0] if v.split() else v, line) for v in variables[inner[0]["Param"]["Value"]]]
                elif len(inner) == 1 and inner[0].get("Type") == "ParamExp" and inner[0].get("Index") and \
                        i + 1 < len(args) and word_literal(args[i + 1]):
                    # "${as_root[@]}" apt-get ...: an array of prefix words (sudo or nothing), then the program
                    found.append((word_literal(args[i + 1]), line))
                else:
                    found.append((None, line))
                break
            if text in PREFIX_COMMANDS:
                if text == "command" and i + 1 < len(args) and word_literal(args[i + 1]) in ("-v", "-V"):
                    found += [(word_literal(a), line) for a in args[i + 2:] if word_literal(a)]
                    break
                i += 1
                while i < len(args) and (word_literal(args[i]) or "").startswith("-") or \
                        (i < len(args) and re.match(r"^\w+=", word_literal(args[i]) or "")) or \
                        (text == "timeout" and i < len(args) and re.match(r"^[\d.]+[smhd]?$", word_literal(args[i]) or "")):
                    i += 1
                if text != "sudo":
                    continue
                found.append(("sudo", line))
                continue
            found.append((text, line))
            break
    return [(p, line) for p, line in found if p not in functions]


# ---- CMake ----------------------------------------------------------------------------------------

def cmake_requirements():
    """(kind, name, file, line): every find_package and pkg_check_modules module of the CMakeLists."""
    found = []
    for directory, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(("build", "out")))
        if "CMakeLists.txt" not in files:
            continue
        path = os.path.join(directory, "CMakeLists.txt")
        with open(path, encoding="utf-8") as f:
            text = re.sub(r"#[^\n]*", "", f.read())
        for match in re.finditer(r"\b(find_package|pkg_check_modules)\s*\(([^)]*)\)", text, re.I):
            line = text.count("\n", 0, match.start()) + 1
            words = match.group(2).split()
            if match.group(1).lower() == "find_package":
                found.append(("find_package", words[0], rel(path), line))
            else:
                keywords = {"REQUIRED", "QUIET", "IMPORTED_TARGET", "GLOBAL", "NO_CMAKE_PATH", "NO_CMAKE_ENVIRONMENT_PATH"}
                found += [("pkg-config", w, rel(path), line) for w in words[1:] if w not in keywords]
    return found


def cmake_cache(build_dir):
    cache = {}
    path = os.path.join(build_dir, "CMakeCache.txt")
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = re.match(r"^([^#/][^:=]*):[A-Z]+=(.*)$", line.rstrip("\n"))
                if m:
                    cache[m.group(1)] = m.group(2)
    return cache


# ---- the checks -----------------------------------------------------------------------------------

def main():
    if not os.path.realpath(sys.executable).startswith("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3", os.path.abspath(__file__), *sys.argv[1:]])
    parser = argparse.ArgumentParser(description="Checks that tools/debian-packages.txt names every Debian "
                                                 "package the tests, tools and build use.")
    parser.add_argument("build_dir", nargs="?", help="a configured build directory (for the CMake packages)")
    parser.add_argument("--list", default=os.path.join(ROOT, LIST), help=f"the list to check (default {LIST})")
    args = parser.parse_args()
    build_dir = args.build_dir
    listed = read_list(args.list)
    dpkg, owners = Dpkg(), Owners()
    allowed = dpkg.closure(listed)
    problems, notes = [], []

    not_installed = sorted(p for p in listed if not dpkg.present(p))
    for p in not_installed:
        problems.append(f"{p} is in {LIST} but not installed: run tools/setup.sh")
    notes.append(f"{len(listed)} packages listed in {LIST}, {len(listed) - len(not_installed)} installed")

    # What the files import and run.
    files = list(scanned_files())
    local_modules = {os.path.splitext(os.path.basename(f))[0] for f in files if f.endswith(".py")}
    local_modules |= {os.path.basename(os.path.dirname(f)) for f in files if f.endswith("__init__.py")}
    importers, programs = {}, {}
    for path in files:
        if path.endswith(".py"):
            with open(path, "rb") as f:
                try:
                    tree = ast.parse(f.read(), filename=path)
                except SyntaxError as e:
                    problems.append(f"{rel(path)}: cannot parse: {e}")
                    continue
            for module, line in python_imports(path, tree):
                if module not in local_modules and module != "__future__":
                    importers.setdefault(module, []).append(f"{rel(path)}:{line}")
            for program, line in python_programs(tree):
                programs.setdefault(program, []).append(f"{rel(path)}:{line}")
        elif is_shell(path):
            try:
                for program, line in shell_programs(path):
                    programs.setdefault(program, []).append(f"{rel(path)}:{line}")
            except RuntimeError as e:
                problems.append(str(e))

    # Python modules -> the file /usr/bin/python3 would load.
    module_files = {}
    for module in sorted(importers):
        spec = importlib.util.find_spec(module)
        if spec is None:
            guess = "python3-" + module.lower().replace("_", "-")
            problems.append(f"Python module '{module}' (imported by {', '.join(importers[module])}) is not installed "
                            f"for /usr/bin/python3: add its Debian package (probably {guess}) to {LIST}")
        elif spec.origin in ("built-in", "frozen"):
            pass
        else:
            origin = spec.origin or next(iter(spec.submodule_search_locations or []), None)
            if origin:
                module_files[module] = origin
                owners.want(origin)

    # Programs -> the file on disk.
    builtins = set(run(["bash", "-c", "compgen -b; compgen -k"]).stdout.split())
    unresolved = programs.pop(None, [])
    program_paths = {}
    for program in sorted(programs):
        where = ", ".join(programs[program][:4]) + (" ..." if len(programs[program]) > 4 else "")
        if program in builtins or program.startswith(("$", "-")) or os.path.basename(program) in BASE_SYSTEM:
            continue
        if not program.startswith("/") and "/" in program:
            continue  # the repository's own (tools/…, build/chatfmt)
        path = program if program.startswith("/") else shutil.which(program, path=DEBIAN_PATH)
        program_paths[program] = (where, path)
        owners.want(path)

    # CMake packages -> their config or .pc file.
    cmake_files = []
    if build_dir:
        cache = cmake_cache(build_dir)
        if not cache:
            problems.append(f"{build_dir}/CMakeCache.txt is missing: configure first")
        for kind, name, where, line in cmake_requirements():
            path = None
            if kind == "find_package":
                directory = cache.get(f"{name}_DIR", "")
                if directory and os.path.isdir(directory):
                    path = next((os.path.join(directory, f) for f in sorted(os.listdir(directory))
                                 if f.lower() in (f"{name.lower()}config.cmake", f"{name.lower()}-config.cmake")),
                                directory)
            else:
                path = run(["pkg-config", "--path", name]).stdout.strip() or None
            cmake_files.append((kind, name, f"{where}:{line}", path, cache))
            owners.want(path)

    # Python modules: from a listed package (or one it depends on).
    for module, origin in sorted(module_files.items()):
        where = ", ".join(importers[module])
        owner = owners[origin]
        if not owner:
            problems.append(f"Python module '{module}' (imported by {where}) is {origin}, which no Debian package "
                            f"owns (pip?): install its Debian package and add it to {LIST}")
        elif not owner & allowed:
            problems.append(f"{' or '.join(sorted(owner))} is not in {LIST}: it provides Python module '{module}', "
                            f"imported by {where}")
    stdlib = sum(m in sys.stdlib_module_names for m in importers)
    notes.append(f"{len(importers)} Python modules imported, {stdlib} of them from the standard library: "
                 + ", ".join(sorted(m for m in importers if m not in sys.stdlib_module_names)) + " from listed packages")

    # Programs: mapped to a listed, installed package that the file comes from; or base system.
    checked = {}
    for program, (where, path) in sorted(program_paths.items()):
        name = os.path.basename(program)
        owner = owners[path]
        if name in PROGRAMS:
            package = PROGRAMS[name]
            if package not in listed:
                problems.append(f"{package} is not in {LIST}: it provides {name}, run by {where}")
            elif not dpkg.present(package):
                problems.append(f"{package} (for {name}, run by {where}) is not installed: run tools/setup.sh")
            elif path is None or not os.path.exists(path):
                problems.append(f"{name} (run by {where}) is not in {DEBIAN_PATH} although {package} is installed")
            elif not owner & dpkg.closure([package]):
                problems.append(f"{path} comes from {', '.join(sorted(owner)) or 'no Debian package'}, not from "
                                f"{package} as PROGRAMS in {rel(__file__)} says")
            else:
                checked[name] = package
        elif not owner & dpkg.base:
            problems.append(f"{where} runs '{program}', which is neither a builtin, nor from an Essential or "
                            f"required package, nor in PROGRAMS of {rel(__file__)} (it comes from "
                            f"{', '.join(sorted(owner)) or 'no Debian package'}): add it there with its Debian "
                            f"package, and the package to {LIST}")
    notes.append("programs run, beyond the base system: " + ", ".join(f"{k} ({v})" for k, v in sorted(checked.items())))
    notes.append(f"{len(unresolved)} computed commands (the project's own binaries)")

    # CMake: from a listed package.
    for kind, name, where, path, cache in cmake_files:
        what = f"find_package({name})" if kind == "find_package" else f"pkg-config module {name}"
        if path:
            owner = owners[path]
            if not owner & allowed:
                problems.append(f"{what} at {where} uses {path}, from {', '.join(sorted(owner)) or 'no Debian package'}, "
                                f"which is not in {LIST}")
        elif kind == "find_package" and name in CMAKE_FIND_MODULES:
            package = CMAKE_FIND_MODULES[name]
            if package and package not in listed:
                problems.append(f"{package} is not in {LIST}: {what} at {where} needs it")
        elif kind == "find_package" and f"{name}_DIR" in cache:
            pass  # an optional package that was not found: nothing to own
        else:
            problems.append(f"{what} at {where} is not found in {build_dir}: its Debian package must be in {LIST}"
                            + (f" (or, for a CMake Find module, in CMAKE_FIND_MODULES of {rel(__file__)})"
                               if kind == "find_package" else ""))
    if build_dir:
        notes.append(f"{len(cmake_files)} CMake packages and pkg-config modules, each from a listed package")

    if problems:
        print(f"Debian dependencies: {len(problems)} problem(s); {LIST} is the one list tools/setup.sh installs:")
        for p in problems:
            print("  " + p)
        return 1
    for note in notes:
        print(note)
    print(f"Debian dependencies: every module and program the tests use comes from {LIST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
