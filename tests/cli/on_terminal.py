"""Run a program with a pseudo-terminal as its standard output (and error), as on a user's
terminal: what it prints there, colour and all."""
import os
import pty


def output_on_terminal(argv, env, cwd=None):
    pid, fd = pty.fork()
    if pid == 0:
        if cwd:
            os.chdir(cwd)
        os.execve(argv[0], argv, env)
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the program has ended and closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode()
