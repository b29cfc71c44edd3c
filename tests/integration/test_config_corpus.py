"""chansyncd --check-config on the corpus of invalid files (T11): every
error, with FILE:LINE:COL and the exact text, and the exit status."""
import os
import shutil
import subprocess
import tempfile

from harness import Env, ROOT, bin_path, contains, eq, test

CORPUS = os.path.join(ROOT, "tests", "config-invalid")


def check(path, env_dir, creds):
    e = dict(os.environ, CREDENTIALS_DIRECTORY=creds, CHANSYNC_CORPUS_SECRET="s",
             CHANSYNC_LOG_TARGET="stderr")
    p = subprocess.run([bin_path("chansyncd"), "--check-config", "-c", path], env=e,
                       capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def setup():
    d = tempfile.mkdtemp(prefix="chansync-corpus-")
    creds = os.path.join(d, "creds")
    os.mkdir(creds, 0o700)
    with open(os.path.join(d, "open-secret"), "w") as f:
        f.write("not-so-secret\n")
    os.chmod(os.path.join(d, "open-secret"), 0o644)
    with open(os.path.join(creds, "present"), "w") as f:
        f.write("present-value\n")
    os.chmod(os.path.join(creds, "present"), 0o600)
    return d, creds


@test
def every_invalid_file_gives_its_exact_diagnostics():
    d, creds = setup()
    try:
        cases = sorted(f[:-5] for f in os.listdir(CORPUS) if f.endswith(".yaml"))
        if len(cases) < 25:
            raise AssertionError("only %d corpus cases" % len(cases))
        bad = []
        for name in cases:
            with open(os.path.join(CORPUS, name + ".yaml"), "rb") as f:
                data = f.read().replace(b"@DIR@", d.encode())
            path = os.path.join(d, name + ".yaml")
            with open(path, "wb") as f:
                f.write(data)
            with open(os.path.join(CORPUS, name + ".expected")) as f:
                want = f.read().rstrip("\n").split("\n")
            rc, out, err = check(path, d, creds)
            got = ["exit %d" % rc] + [l.replace(path, "@FILE@").replace(d, "@DIR@")
                                      for l in err.rstrip("\n").split("\n") if l]
            if got != want or out:
                bad.append("%s:\n  want %r\n  got  %r" % (name, want, got))
        if bad:
            raise AssertionError("\n".join(bad))
        print("    %d corpus cases" % len(cases))
    finally:
        shutil.rmtree(d)


@test
def hostile_files_are_stopped_by_the_caps():
    d, creds = setup()
    try:
        def run(name, data):
            path = os.path.join(d, name)
            with open(path, "w") as f:
                f.write(data)
            rc, out, err = check(path, d, creds)
            return rc, err.replace(path, "@FILE@")
        rc, err = run("big.yaml", "# " + "x" * (2 << 20) + "\n")
        eq((rc, err.strip()), (78, "@FILE@: the file is larger than 1048576 bytes; "
                                   "this is not a chansync configuration"), "2 MiB file")
        rc, err = run("deep2.yaml", "daemon: " + "[" * 100000 + "]" * 100000 + "\n")
        eq((rc, err.strip()), (78, "@FILE@:1:40: nesting deeper than 32 levels"),
           "100 000 levels stopped at the cap")
        laughs = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for i, c in enumerate("bcdefghi"):
            prev = "abcdefgh"[i]
            laughs += "%s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n" % ((c, c) + (prev,) * 9)
        rc, err = run("laughs.yaml", laughs)
        eq(rc, 78, "billion laughs")
        contains(err, "@FILE@:1:4: YAML anchors are not allowed (&a)")
        contains(err, "YAML aliases are not allowed (*h)")
        p = subprocess.run([bin_path("chansyncd"), "--check-config", "-c",
                            os.path.join(d, "absent.yaml")], capture_output=True, text=True)
        eq(p.returncode, 78, "missing file")
        eq(p.stderr.strip(), os.path.join(d, "absent.yaml") +
           ": cannot open: No such file or directory", "missing file message")
    finally:
        shutil.rmtree(d)


@test
def the_shipped_example_passes_when_its_credentials_exist():
    env = Env("example")
    try:
        for n in ("sf_jwt_key", "portal_token", "audit_key", "smtp_password"):
            env.credential(n, "value-%s\n" % n)
        env.credential("chat_webhook_url", "https://hooks.chat.example/T0/B0/x\n")
        p = env.run([bin_path("chansyncd"), "--check-config", "-c",
                     os.path.join(ROOT, "config", "chansync.yaml")], check_rc=0)
        eq(p.stdout, "configuration OK\n", "stdout")
        eq(p.stderr, "", "stderr")
        # CHANSYNC_CONFIG is the default path's override
        p = env.run([bin_path("chansyncd"), "--check-config"], check_rc=0,
                    extra_env={"CHANSYNC_CONFIG": os.path.join(ROOT, "config",
                                                               "chansync.yaml")})
        os.unlink(os.path.join(env.creds, "audit_key"))
        p = env.run([bin_path("chansyncd"), "--check-config", "-c",
                     os.path.join(ROOT, "config", "chansync.yaml")])
        eq(p.returncode, 78, "a missing credential")
        contains(p.stderr, "audit.hmac_key: credential:audit_key:")
        eq(env.run([bin_path("chansyncd"), "--bogus"]).returncode, 64, "usage")
        contains(env.run([bin_path("chansyncd"), "--version"], check_rc=0).stdout,
                 "chansyncd ")
    finally:
        env.cleanup()
