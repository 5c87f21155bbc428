"""The package's answers refuse to run while a check runs the learner's
code, in whatever thread (``checks.tripwire``), and what the learner's
code does to ``mlp_notes`` or to the check's profiler while it runs is
refused (``checks.runs``, ``checks.audit``)."""

from __future__ import annotations

import _thread
import functools
import os
import sys
import threading
import time
import types

import fresh
import pytest
import timing
import torch
from practice_answers import prelu_right

from mlp_notes import activations, checks, optim
from mlp_notes.activations import prelu_grad as kept_reference
from mlp_notes.checks import (
    WRONG,
    callers,
    guard,
    package,
    prior,
    switches,
    tripwire,
    watch,
)
from mlp_notes.shift import detect

CODE = activations.prelu_grad.__code__


def _in_thread(work):
    """``work()`` in a thread started through functools.partial (no
    audit event, no profiler), waited for; its result or exception."""
    box: list = []
    lock = _thread.allocate_lock()
    lock.acquire()

    def run():
        try:
            box.append(work())
        except BaseException as err:  # what a stand-in raises, too
            box.append(err)
        lock.release()

    functools.partial(_thread.start_new_thread, run, ())()
    lock.acquire()
    return box[0]


def _check_gives(fn, words: str) -> None:
    verdict = checks.check_4_1_prelu_derivative(fn)
    assert verdict.status == WRONG and words in verdict.message, verdict
    assert activations.prelu_grad.__code__ is CODE  # put back
    assert checks.check_4_1_prelu_derivative(prelu_right).correct


def test_the_answer_refuses_to_run_in_another_thread():
    """A thread the profiler cannot see (the fourth battery's route):
    the answer's call is refused there too, also through a reference
    the learner kept under another name, and also where the learner's
    code falls back to a right answer when the call fails."""

    def through_thread(x, alpha):
        got = _in_thread(lambda: kept_reference(x, alpha))
        return prelu_right(x, alpha) if isinstance(got, BaseException) else got

    _check_gives(through_thread, "calls activations.prelu_grad")

    def ks(a, b):
        got = _in_thread(lambda: detect.ks_statistic(a, b))
        return 0.5 if isinstance(got, BaseException) else got

    verdict = checks.check_4_9_ks_statistic(ks)
    assert "calls shift.detect.ks_statistic" in verdict.message or (
        "calls" in verdict.message and "ks_statistic" in verdict.message
    ), verdict


def test_the_answer_runs_as_before_outside_a_check():
    x = torch.tensor([-2.0, 3.0])
    before = activations.prelu_grad(x, 0.25)
    checks.check_4_1_prelu_derivative(lambda x, a: kept_reference(x, a))
    assert torch.equal(activations.prelu_grad(x, 0.25), before)
    assert torch.equal(kept_reference(x, 0.25), before)


def test_a_stand_in_records_and_raises_whatever_its_closure():
    """Stand-ins for functions with free variables (a method using
    ``super()``) and without; the originals come back after the block,
    and not over another run's stand-in."""

    def outer():
        k = 3

        def inner(v):
            return v * k

        return inner

    def plain(v):
        return v + 1

    closure = outer()
    wires = tripwire.Wires({closure: "closure", plain: "plain"})
    with wires as hits:
        for fn in (closure, plain):
            with pytest.raises(tripwire.Refused):
                fn(1)
    assert hits == ["closure", "plain"]
    assert (closure(2), plain(2)) == (6, 3)
    first, second = tripwire.Wires({plain: "a"}), tripwire.Wires({plain: "b"})
    first.__enter__()
    first.__exit__()
    second.__enter__()
    first.__exit__()  # a late exit of a finished run
    with pytest.raises(tripwire.Refused):
        plain(1)
    second.__exit__()
    assert plain(1) == 2


def test_wires_made_while_another_run_is_armed_put_back_the_own_code():
    """A run's wires made while another run's stand-in is in place (a
    worker that went on after its verdict) took that stand-in for the
    function's own code: when the other run ended first, the last exit
    put the stand-in back for good, and every later check of the prior
    was "Refused" (a fresh-clone CI run, 82 tests)."""

    def plain(v):
        return v + 1

    own = plain.__code__
    first = tripwire.Wires({plain: "a"}, look=[False])
    first.__enter__()
    second = tripwire.Wires({plain: "b"}, look=[False])  # while armed
    second.__enter__()
    first.__exit__()  # the other run's stand-in is in place: left alone
    second.__exit__()
    assert plain.__code__ is own and plain(1) == 2


def test_a_worker_that_goes_on_after_its_verdict_arms_nothing(monkeypatch):
    """The stop sent to a worker past the time limit is an exception, and
    one raised in a finalizer or a weakref callback that runs in the
    check's own code is printed and lost: the check went on after its
    verdict, and its next call armed the answers again while the kernel
    ran other checks, which then refused their own reference (a right
    prior "wrong"; here the check's body loses the stop itself).  A run
    whose verdict is given calls nothing."""
    timing.short_limits(monkeypatch)
    calls: list = []

    @guard.exercise("a check that loses its stop")
    def loses_its_stop(answer, run):
        fn = run.function(answer)
        for _ in range(3):
            try:
                run.call(fn)
            except BaseException:  # noqa: BLE001 (StopWork, as lost)
                pass
        return "three calls"

    def sleeps():
        calls.append(1)
        time.sleep(timing.s(0.8))
        return 1.0

    verdict = loses_its_stop(sleeps)
    assert "still running in the background" in verdict.message, verdict
    monkeypatch.undo()  # the prior check's own limits
    end = time.monotonic() + timing.s(2.0)
    while time.monotonic() < end:  # the first call returns meanwhile
        right = checks.check_4_5_prior(
            lambda w, lam, n, s: -lam * n / 2 / s**2 * (w * w).sum()
        )
        assert right.correct, right
    assert calls == [1]
    assert prior.CONFUSIONS[prior.RIGHT](0.1, 10, 0.5) > 0


def test_a_stand_in_in_place_as_a_check_starts_is_not_kept_as_a_patch():
    """A check lifts the learner's patches and gives them back at its end:
    another run's stand-in in place when it started was taken for one,
    and given back after that run had ended, for good (helper-35)."""
    wires = tripwire.Wires({activations.prelu_grad: "answer"}, look=[False])
    wires.__enter__()  # another run's, as the check starts

    @guard.exercise("a check during which that run ends")
    def ends_the_other_run(answer, run):
        wires.__exit__()  # the code was put back: nothing to do
        return "ended"

    try:
        assert ends_the_other_run(lambda: 0).correct
        assert activations.prelu_grad.__code__ is CODE
    finally:
        activations.prelu_grad.__code__ = CODE


def test_copies_are_found_by_the_own_code_while_a_stand_in_is_in_place():
    """A check's look for copies while another run's stand-in is in the
    function's place (two checks at once) looks for the function's own
    code: a copy the other run did not arm is found."""

    def plain(v):
        return v + 1

    other = tripwire.Wires({plain: "plain"}, look=[False])
    copy = types.FunctionType(plain.__code__, globals(), "copy")
    with other:
        assert tripwire.is_stand_in(plain.__code__)
        found = tripwire.sharing({plain: "plain"}, [True])
    assert found == {copy: "plain"}
    assert copy(1) == plain(1) == 2


def test_a_run_whose_verdict_is_given_arms_nothing():
    """The verdict (``disarm``) between a worker's making its wires and
    arming them: it arms nothing, or puts back what it armed."""
    from mlp_notes.checks.runs import Run
    from mlp_notes.checks.worker import StopWork

    def plain(v):
        return v + 1

    run = Run(({}, {}, {plain: "plain"}), lambda: None)
    wires = run._wires()
    run.disarm()
    with pytest.raises(StopWork):
        run._arm(wires)
    assert plain(1) == 2
    with pytest.raises(StopWork):
        run._wires()


def test_a_worker_still_running_leaves_the_answers_disarmed(monkeypatch):
    """A call the check cannot interrupt (asleep in C) outlives its
    verdict: the answers are disarmed when the check returns, also the
    functions kept in a table (the prior check's confusions), which the
    isolation does not record."""
    timing.short_limits(monkeypatch)
    armed = package.members({"prior": prior, "answer": activations})
    codes = {fn: fn.__code__ for fn in armed}
    assert len([f for f in armed if f.__name__ == "<lambda>"]) >= 5

    woke: list = []

    def sleeps(*args):
        time.sleep(timing.s(1.0))
        woke.append(True)
        return 0.0

    for check in (checks.check_4_1_prelu_derivative, checks.check_4_5_prior):
        verdict = check(sleeps)
        assert verdict.status == WRONG and not woke  # still asleep
        assert all(fn.__code__ is code for fn, code in codes.items())
        time.sleep(timing.s(1.2))
        woke.clear()
    x = torch.tensor([-1.0])
    assert torch.equal(kept_reference(x, 0.5), torch.tensor([0.5]))


def test_a_worker_still_running_is_not_taken_for_the_next_call(monkeypatch):
    """A call that outlives its verdict (asleep in C, then deaf to the
    stop) and goes on reading frames in its own thread: the audit hook
    reports that to its own run's tracer (disarmed), not to the next
    check's, whose right answer stays correct."""
    timing.short_limits(monkeypatch)
    done = threading.Event()

    def late(x, alpha):
        try:
            time.sleep(timing.s(0.6))
        except BaseException:
            pass
        while not done.is_set():
            try:
                sys._getframe()
                time.sleep(0.002)
            except BaseException:
                pass
        return x

    try:
        assert checks.check_4_1_prelu_derivative(late).status == WRONG
        time.sleep(timing.s(0.6))  # awake and reading frames
        verdict = checks.check_4_1_prelu_derivative(prelu_right)
        assert verdict.correct, verdict
    finally:
        done.set()
        time.sleep(0.1)


def test_a_method_named_as_an_answer_is_its_function():
    """An answer given as a bound method, a staticmethod or a classmethod
    object is the function it runs (a check banning ``obj.step`` bans
    the function behind it)."""

    class Holder:
        def compute(self, x):
            return x

    def plain(x):
        return x

    found = package.members(
        {
            "bound": Holder().compute,
            "static": staticmethod(plain),
            "class": classmethod(plain),
        }
    )
    assert found == {Holder.compute: "bound", plain: "static"}


def test_reading_the_package_code_is_refused():
    """A copy through the function's code (the way round the stand-ins),
    by attribute or through getattr in functools.partial."""

    def copy(x, alpha):
        fn = types.FunctionType(activations.prelu_grad.__code__, {})
        return prelu_right(x, alpha) if fn is None else prelu_right(x, alpha)

    def copy_partial(x, alpha):
        functools.partial(getattr, activations.prelu_grad, "__code__")()
        return prelu_right(x, alpha)

    for fn in (copy, copy_partial):
        _check_gives(fn, "the code of mlp_notes' functions")

    def own_code(x, alpha):  # the learner's own functions' code is theirs
        assert prelu_right.__code__ is not None
        return prelu_right(x, alpha)

    assert checks.check_4_1_prelu_derivative(own_code).correct


def test_changes_to_the_package_while_the_function_runs_are_refused():
    """The checks' own objects patched during the call (the cheat found
    at stop 29: the tracer's copy test switched off): refused and undone,
    also a change of a function's code undone before the return."""
    copy_of = watch.Tracer._copy_of

    def patch_class(x, alpha):
        watch.Tracer._copy_of = lambda self, code: None
        return prelu_right(x, alpha)

    def patch_global(x, alpha):
        watch._id = lambda obj: 0
        return prelu_right(x, alpha)

    def add_name(x, alpha):
        activations.extra = 1
        return prelu_right(x, alpha)

    other = types.FunctionType(CODE, {}).__code__  # read outside the check
    defaults = activations.relu.__defaults__

    def code_and_back(x, alpha):  # back before it returns: still seen
        activations.prelu_grad.__code__ = other
        activations.prelu_grad.__code__ = CODE
        activations.relu.__defaults__ = ()
        activations.relu.__defaults__ = defaults
        return prelu_right(x, alpha)

    for fn in (patch_class, patch_global, add_name, code_and_back):
        _check_gives(fn, "changed mlp_notes' own")
    assert watch.Tracer._copy_of is copy_of
    assert watch._id is id
    assert not hasattr(activations, "extra")


def test_the_profilers_record_is_kept():
    """The tracer reached through functools.partial(sys.getprofile):
    switching it off, emptying or replacing what it refuses."""

    def tracer():
        return functools.partial(sys.getprofile)()

    def unarm(x, alpha):
        tracer().armed = False
        return kept_reference(x, alpha)

    def empty(x, alpha):
        tracer().banned.clear()
        return prelu_right(x, alpha)

    def replace(x, alpha):
        tracer().copies = {}
        return prelu_right(x, alpha)

    for fn in (unarm, empty, replace):
        _check_gives(fn, "switched off")


def test_a_right_answer_decorated_like_the_package_passes():
    """``optim.LARS.step`` is wrapped by ``torch.no_grad()``: the
    wrapper's code is torch's, shared by every function so decorated, and
    is not the package's answer (the fifth battery's false "wrong");
    the function it wraps is, and stays refused."""
    decorated = [
        torch.no_grad(),
        torch.enable_grad(),
        torch.inference_mode(),
    ]
    for decorator in decorated:

        @decorator
        def lars_step(w, grad, lr, eta):
            return w - lr * eta * w.norm() / grad.norm() * grad

        assert checks.check_4_8_lars_step(lars_step).correct, decorator

    def own(w, grad, lr, eta):
        w = torch.nn.Parameter(w.clone())
        w.grad = grad.clone()
        optim.LARS([w], lr=lr, eta=eta).step()
        return w.detach()

    verdict = checks.check_4_8_lars_step(own)
    assert "calls optim.LARS" in verdict.message, verdict


def test_an_audit_hook_added_by_the_learner_is_blocked():
    """The fifth battery's hook (added in an earlier cell, or by the
    function itself) ran in the check's thread while the stand-ins were
    being set, and read the check's frames there.  The learner's code
    cannot add one once the checks are imported, and the next check says
    so."""
    seen: list = []

    def spy(event, args):
        seen.append(event)

    sys.addaudithook(spy)  # an earlier cell: refused without an error
    verdict = checks.check_4_1_prelu_derivative(prelu_right)
    assert "tried to add an audit hook" in verdict.message, verdict
    assert not seen  # never added
    assert checks.check_4_1_prelu_derivative(prelu_right).correct  # said once

    def adds(x, alpha):
        sys.addaudithook(spy)
        return prelu_right(x, alpha)

    verdict = checks.check_4_1_prelu_derivative(adds)
    assert "tried to add an audit hook" in verdict.message, verdict
    assert not seen


def test_another_thread_of_the_learner_is_heard_while_a_check_runs():
    """A thread started in an earlier cell puts the answer's original
    code back while the function runs (the fifth battery): setting or
    reading a package function's code, and reading frames, in any
    thread running the learner's code are refused during a check."""
    go, done = threading.Event(), threading.Event()
    original = activations.prelu_grad.__code__  # read before the check

    def background():
        go.wait(10)
        activations.prelu_grad.__code__ = original
        done.set()

    threading.Thread(target=background, daemon=True).start()

    def cheat(x, alpha):
        go.set()
        done.wait(10)
        return activations.prelu_grad(x, alpha)

    _check_gives(cheat, "changed mlp_notes' own")
    go.clear()
    done.clear()

    def frames():
        go.wait(10)
        sys._current_frames()
        done.set()

    threading.Thread(target=frames, daemon=True).start()

    def waits(x, alpha):
        go.set()
        done.wait(10)
        return prelu_right(x, alpha)

    _check_gives(waits, "frames or objects")


def test_a_library_reading_the_code_for_the_learner_is_heard():
    """``dis`` reads the stand-in for the learner (the way into its
    record that the fifth battery found): a package function's code read
    by library code the learner's code called is refused too."""
    import dis

    def disassembles(x, alpha):
        dis.Bytecode(activations.prelu_grad)
        return prelu_right(x, alpha)

    _check_gives(disassembles, "the code of mlp_notes' functions")


def _with_a_hashed_constant(body) -> tuple:
    """``body`` with an object added to its code's constants, and the
    list its ``__hash__`` notes each call in."""
    ran: list = []

    class Sneaky:
        def __hash__(self):
            ran.append(True)
            return 0

        def __eq__(self, other):
            return False

    code = body.__code__
    consts = (*code.co_consts, Sneaky())
    return types.FunctionType(
        code.replace(co_consts=consts), body.__globals__
    ), ran


def test_constants_are_never_hashed_by_the_profiler():
    """An object put into a code object's constants: its ``__hash__``
    ran inside the profile function (no profiler there), the fifth
    battery's way to call the answer unseen."""

    def body(x, alpha):
        return prelu_right(x, alpha)

    sneaky, ran = _with_a_hashed_constant(body)
    assert checks.check_4_1_prelu_derivative(sneaky).correct
    assert not ran
    code = body.__code__
    assert package.fingerprint(code) == package.fingerprint(
        code.replace(co_filename="elsewhere")
    )


def test_a_code_object_is_never_hashed_where_frames_are_judged():
    """Whose code a frame runs is told by the code's id: hashing the code
    hashes its constants, so a constant of the learner's ran its
    ``__hash__`` inside the profile function and the audit hook."""

    def body(x, alpha):
        sys._getframe()
        return prelu_right(x, alpha)

    sneaky, ran = _with_a_hashed_constant(body)
    assert checks.check_4_1_prelu_derivative(sneaky).status == WRONG
    assert not ran


def test_a_file_name_that_lies_about_itself_is_read_plainly():
    """A code object's file name can be a str subclass: one whose
    startswith said True made the learner's code the library's, so its
    sys._getframe went unrefused and it edited the check's input."""

    class Library(str):
        def startswith(self, *prefixes):
            return True

    def ones(x, alpha):
        found = sys._getframe()
        while found.f_code.co_name != "_check_4_1_prelu_derivative":
            found = found.f_back
        found.f_locals["x"].abs_()
        return torch.ones_like(x)

    code = ones.__code__.replace(co_filename=Library("mine.py"))
    lying = types.FunctionType(code, globals())
    verdict = checks.check_4_1_prelu_derivative(lying)
    assert "reads the interpreter's frames" in verdict.message, verdict


def test_a_torch_mode_left_on_is_refused_and_popped():
    """A TorchFunctionMode entered and not exited ran during the rest of
    the check and rewrote its reading of the answer (the fifth battery)."""

    class Mode(torch.overrides.TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            return func(*args, **(kwargs or {}))

    def leaves(x, alpha):
        Mode().__enter__()
        return prelu_right(x, alpha)

    _check_gives(leaves, "left a torch mode active")
    assert torch._C._len_torch_function_stack() == 0


def test_the_learners_code_after_its_call_is_heard():
    """Code of the learner's that runs after its function returned (a
    finalizer: here a global forward hook's, run when the check clears
    the hooks) and reads the check's frames or objects to rewrite what it
    read (the fifth battery): refused when the check ends."""
    from torch.nn.modules.module import register_module_forward_hook

    class Later:
        def __call__(self, module, inputs, output):
            return None

        def __del__(self):
            sys._getframe(1)

    def leaves(x, alpha):
        register_module_forward_hook(Later())
        return prelu_right(x, alpha)

    _check_gives(leaves, "frames or objects")


def _source_of(module, name: str) -> str:
    import ast
    import inspect

    source = inspect.getsource(module)
    for node in ast.parse(source).body:
        targets = [
            getattr(t, "id", None) for t in getattr(node, "targets", ())
        ]
        if name in (getattr(node, "name", None), *targets):
            return ast.get_source_segment(source, node)
    raise KeyError(name)


def _compiled(module, name: str, filename: str, optimize: int):
    """``module.name``'s def compiled again, under ``filename``."""
    scope = dict(vars(module))
    code = compile(
        _source_of(module, name), filename, "exec", optimize=optimize
    )
    exec(code, scope)
    return scope[name]


def test_copies_compiled_again_without_docstrings_are_refused():
    """The fifth battery's largest group: the package's source compiled
    again with optimize=2 (no docstring), in an earlier cell or during
    the call, and a reference without a docstring (the prior check's
    coefficient) compiled again, all under the package's file names."""
    again = _compiled(activations, "prelu_grad", activations.__file__, 2)
    copied = "calls a copy of activations.prelu_grad"
    _check_gives(lambda x, a: again(x, a), copied)

    def during(x, alpha):
        scope = {"__name__": "mlp_notes.activations"}
        path = activations.__file__
        with open(path) as source:
            exec(compile(source.read(), path, "exec", optimize=2), scope)
        return scope["prelu_grad"](x, alpha)

    _check_gives(during, copied)

    # a function whose code needs None: optimize=2 puts None first, once
    from mlp_notes import regularization

    ks = _compiled(detect, "ks_statistic", detect.__file__, 2)
    verdict = checks.check_4_9_ks_statistic(lambda a, b: ks(a, b))
    assert "calls" in verdict.message and "ks_statistic" in verdict.message
    l2 = _compiled(regularization, "l2_penalty", regularization.__file__, 2)
    verdict = checks.check_4_5_frobenius(lambda w: 2 * l2(w))
    assert "calls" in verdict.message and "l2_penalty" in verdict.message

    scope = {"__name__": "copy", "RIGHT": prior.RIGHT}
    scope["MappingProxyType"] = types.MappingProxyType
    exec(
        compile(_source_of(prior, "CONFUSIONS"), prior.__file__, "exec"), scope
    )
    coefficient = scope["CONFUSIONS"][prior.RIGHT]
    verdict = checks.check_4_5_prior(
        lambda w, lambd, n, sigma: (
            -coefficient(lambd, n, sigma) * (w * w).sum()
        )
    )
    assert verdict.status == WRONG and "reference" in verdict.message, verdict


def test_the_learners_own_file_keeps_code_that_matches_the_package():
    """The same source compiled under the learner's own file name has no
    mark of the package: it is judged by its values, as code typed from
    the page is (a learner's short function that happens to match a
    helper's names and constants is never refused as a copy)."""
    own = _compiled(activations, "prelu_grad", "<ipython-input-7>", 2)
    assert own.__code__.co_consts[0] is None
    assert checks.check_4_1_prelu_derivative(own).correct


def test_the_packages_own_code_is_never_a_copy():
    """No code object of the package is refused as a copy, whichever
    module of the package a check bans (a helper the learner may call
    that shares a banned function's names and constants, in another
    file or in the same one), except the banned function's own code,
    which is refused by identity anyway."""
    import importlib
    import pkgutil

    import mlp_notes

    modules = {
        info.name: importlib.import_module(info.name)
        for info in pkgutil.walk_packages(mlp_notes.__path__, "mlp_notes.")
    }
    own = guard.record()[4][1]
    banned = modules  # any of them, as a check could ban
    originals = {fn.__code__ for fn in package.members(banned)}
    copied = package.copies(banned)
    for code in package.codes(modules):
        if package.copy_of(code, copied, own) is not None:
            assert code in originals, code
    again = _compiled(activations, "prelu_grad", activations.__file__, 2)
    assert package.copy_of(again.__code__, copied, own) is not None
    assert (
        package.copy_of(
            again.__code__.replace(co_filename=optim.__file__), copied, own
        )
        is None
    )  # another of the package's files: not this function's


def test_a_shared_code_copy_made_earlier_is_armed_in_any_thread():
    """A copy sharing the answer's code object, made in an earlier cell
    and run in a thread the profiler cannot see (a thread started
    through functools.partial, or a pool started in an earlier cell).  The
    code is read in that cell too (read before an earlier check ran, as
    the module's CODE was, it is an admitted route: the test ran only
    after another that read code)."""
    from concurrent.futures import ThreadPoolExecutor

    code = activations.prelu_grad.__code__  # an audit event: look again
    copy = types.FunctionType(code, activations.prelu_grad.__globals__, "c")

    def through_thread(x, alpha):
        got = _in_thread(lambda: copy(x, alpha))
        return prelu_right(x, alpha) if isinstance(got, BaseException) else got

    _check_gives(through_thread, "calls activations.prelu_grad")
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: None).result()  # its thread exists already
        _check_gives(
            lambda x, a: pool.submit(copy, x, a).result(),
            "calls activations.prelu_grad",
        )
    assert copy.__code__ is CODE


_INTERPRETER = """
import os
import torch
import _xxsubinterpreters as interpreters
from mlp_notes import checks

def elsewhere(x, alpha):
    read, write = os.pipe()
    one = interpreters.create()
    interpreters.run_string(one, f"import os; os.write({write}, b'1')")
    interpreters.destroy(one)
    os.close(write)
    os.read(read, 1)
    os.close(read)
    return torch.where(x > 0, 1.0, alpha * torch.ones_like(x))

print(checks.check_4_1_prelu_derivative(elsewhere).message)
"""


def test_another_interpreter_is_refused():
    """Run in a process of its own: a subinterpreter leaves torch's
    autograd believing the GIL is held for the rest of the process (the
    learner's kernel too, so a restart is what the verdict asks for)."""
    pytest.importorskip("_xxsubinterpreters")
    done = fresh.python(_INTERPRETER, timeout=300)
    assert "another process or interpreter" in done.stdout, done


def test_the_checks_tables_emptied_in_an_earlier_cell_change_nothing():
    """The fifth battery emptied, in an earlier cell, the dicts a check's
    closure held (its tables of refused code): the tables are made afresh
    for each run now, so the answer stays refused."""
    check = checks.check_4_1_prelu_derivative
    for cell in check.__closure__:
        held = cell.cell_contents
        for value in held if isinstance(held, tuple) else ():
            if isinstance(value, dict):
                value.clear()
    _check_gives(kept_reference, "calls activations.prelu_grad")


def test_a_recompiled_copy_made_earlier_is_armed_in_any_thread():
    """The sixth battery: the package's source compiled again (docstring
    kept, or with optimize=2 under a spelling of the package's path that
    is not the same string) in an earlier cell, run in a pool started in
    an earlier cell."""
    from concurrent.futures import ThreadPoolExecutor

    again = _compiled(activations, "prelu_grad", activations.__file__, 0)
    path = activations.__file__.replace(
        "/mlp_notes/", "/mlp_notes/../mlp_notes/"
    )
    spelled = _compiled(activations, "prelu_grad", path, 2)
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: None).result()  # its thread exists already
        for copy in (again, spelled):
            _check_gives(
                lambda x, a, c=copy: pool.submit(c, x, a).result(),
                "calls a copy of activations.prelu_grad",
            )


def test_library_events_in_the_learners_other_threads_are_not_refused():
    """The sixth battery's false "wrong": logging (sys._getframe) in a
    thread started in an earlier cell, while a right answer runs, and in
    the pool thread the right answer itself runs in."""
    import logging
    from concurrent.futures import ThreadPoolExecutor

    stop = threading.Event()
    logger = logging.getLogger("mlp_notes.test.background")
    logger.addHandler(logging.NullHandler())
    logger.propagate = False

    def background():
        while not stop.is_set():
            logger.warning("still here")
            time.sleep(0.001)

    thread = threading.Thread(target=background)
    thread.start()
    try:
        with ThreadPoolExecutor(1) as pool:
            pool.submit(lambda: None).result()  # its thread exists already

            def logged(x, alpha):
                logger.warning("computing")
                return prelu_right(x, alpha)

            for answer in (
                prelu_right,
                lambda x, a: pool.submit(logged, x, a).result(),
            ):
                verdict = checks.check_4_1_prelu_derivative(answer)
                assert verdict.correct, verdict
    finally:
        stop.set()
        thread.join()


def test_torch_compile_of_the_learners_own_tanh_identity_is_correct():
    """The sixth battery's false "wrong": dynamo reads the code of the
    tanh check's own torch function mode while it compiles the learner's
    function; the checks' machinery is not the package's answers."""
    compiled = torch.compile(
        lambda x: 2 * torch.sigmoid(2 * x), backend="eager"
    )
    verdict = checks.check_4_1_tanh_identity(compiled)
    assert verdict.correct, verdict


def test_an_object_planted_in_builtins_changes_no_verdict():
    """The sixth battery's escapes: a check's tables walk the reference
    modules' module-level dicts; an object whose ``__module__`` raises,
    put into builtins (every module's ``__builtins__``), raised out of
    the check."""
    import builtins

    class Raising:
        @property
        def __module__(self):
            raise RuntimeError("planted")

    import gc

    builtins.planted_by_a_learner = Raising()
    # a table the checks read: read-only, but its dict is reachable
    (table,) = gc.get_referents(prior.CONFUSIONS)
    table["planted"] = Raising()
    try:
        assert checks.check_4_1_prelu_derivative(prelu_right).correct
        assert checks.check_4_7_training_memory(lambda b, h: 0).status == WRONG
    finally:
        del builtins.planted_by_a_learner
        del table["planted"]


def test_the_refused_code_is_taken_once():
    """The review of 0de18d4: the tables were made again for each run
    from live objects, so a function's ``__module__`` changed in an
    earlier cell took the answer out of them."""
    grad = activations.prelu_grad
    module = grad.__module__
    grad.__module__ = "mlp_notes.checks.guard"
    try:
        verdict = checks.check_4_1_prelu_derivative(lambda x, a: grad(x, a))
    finally:
        grad.__module__ = module
    assert "calls activations.prelu_grad" in verdict.message, verdict


def test_a_library_reading_code_in_another_thread_is_refused():
    """``dis`` reading an armed function's code for the learner in a
    thread the profiler does not see counts as reading it."""
    import dis

    def through_dis(x, alpha):
        _in_thread(lambda: dis.Bytecode(kept_reference).codeobj)
        return prelu_right(x, alpha)

    _check_gives(through_dis, "reads the interpreter's frames")


def _reachable(start, depth: int) -> list:
    """Objects reachable from ``start`` through closures, bound methods'
    selves, containers and instance attributes (not globals or modules:
    those reach everything)."""
    found, level = [], [start]
    for _ in range(depth):
        following = []
        for obj in level:
            found.append(obj)
            if isinstance(obj, types.ModuleType):
                continue
            if isinstance(obj, types.FunctionType):
                following += [c.cell_contents for c in obj.__closure__ or ()]
            elif isinstance(obj, types.BuiltinMethodType | types.MethodType):
                following.append(obj.__self__)
            elif isinstance(obj, list | tuple | set):
                following += list(obj)
            elif isinstance(obj, dict):
                following += list(obj.values())
            elif isinstance(obj, types.CodeType):
                following += list(obj.co_consts)
            elif hasattr(obj, "__dict__") and not isinstance(obj, type):
                following += list(vars(obj).values())
        level = following
    return found


def test_a_stand_in_reaches_no_original_code():
    """The review of 0de18d4: a learner's copy is armed too, and its code
    is not audited; a stand-in's constants reached the Wires and through
    them every original code object."""
    copy = types.FunctionType(CODE, activations.prelu_grad.__globals__, "c")
    wires = tripwire.Wires({activations.prelu_grad: "answer"})
    with wires:
        assert copy.__code__ is not CODE  # armed
        reached = _reachable(copy.__code__, 8)
    assert not any(obj is CODE for obj in reached)
    assert copy.__code__ is CODE


# The eighth battery (helper, /work/battery8): the learner's code run
# where the check's watch did not reach, each a wrong answer judged
# 'correct' before its fix.


def _frame_of(frame, name: str):
    while frame is not None and frame.f_code.co_name != name:
        frame = frame.f_back
    return frame


def _ones(x, alpha):
    """Wrong: pReLU's derivative with 1 for x < 0 too."""
    return torch.ones_like(x)


def _all_positive():
    """What the cheats do once they hold a frame of the check's: make
    every input positive, where 1 is right."""
    import logging

    found = _frame_of(logging.currentframe(), "_check_4_1_prelu_derivative")
    if found is not None:  # None once the check is over
        found.f_locals["x"].abs_()


def test_a_finalizer_that_switches_the_late_watch_off_is_refused():
    """A finalizer on the input, run as the check dropped it, called
    audit.watching(None) (the only thing listening then) and edited the
    check's input through sys._getframe.  The input now outlives the
    verdict; and a late watch found switched off is refused."""
    import weakref

    from mlp_notes.checks import audit
    from mlp_notes.checks.verdict import WrongAnswerError

    def switch_off_and_edit():
        audit.watching(None)
        found = _frame_of(sys._getframe(), "_check_4_1_prelu_derivative")
        if found is not None:  # None once the check is over
            found.f_locals["x"].abs_()

    def answer(x, alpha):
        weakref.finalize(x, switch_off_and_edit)
        return _ones(x, alpha)

    verdict = checks.check_4_1_prelu_derivative(answer)
    assert verdict.status == WRONG and "identity" in verdict.message, verdict
    run = guard.Run(({}, {}, {}), lambda: None)
    run.calls = 1  # as after a call, with the late watch switched off
    with pytest.raises(WrongAnswerError, match="profiler"):
        run.finish()


def test_the_checks_own_code_called_by_the_learner_is_refused():
    """audit.watching(None) in the call, then a frame through map (no
    profile event for the C call it makes): the checks' own code is not
    the learner's to call, in whatever way."""
    from mlp_notes.checks import audit

    def answer(x, alpha):
        audit.watching(None)
        found = next(map(sys._getframe, [0]))
        _frame_of(found, "_check_4_1_prelu_derivative").f_locals["x"].abs_()
        return _ones(x, alpha)

    partial = functools.partial(audit.watching, None)
    for cheat in (answer, lambda x, a: partial() or _ones(x, a)):
        verdict = checks.check_4_1_prelu_derivative(cheat)
        assert "the checks' own code" in verdict.message, verdict


def test_a_frame_from_logging_is_a_frame():
    """logging.currentframe() is sys._getframe(1) in logging's file; a
    finalizer on the input runs after the verdict."""
    import weakref

    def in_the_call(x, alpha):
        _all_positive()
        return _ones(x, alpha)

    def in_a_finalizer(x, alpha):
        weakref.finalize(x, _all_positive)
        return _ones(x, alpha)

    verdict = checks.check_4_1_prelu_derivative(in_the_call)
    assert "reads the interpreter's frames" in verdict.message, verdict
    verdict = checks.check_4_1_prelu_derivative(in_a_finalizer)
    assert "identity" in verdict.message, verdict  # run after the verdict


def test_logging_in_a_right_answer_is_fine():
    import logging

    def answer(x, alpha):
        logging.getLogger("learner").info("x has %d entries", x.numel())
        return prelu_right(x, alpha)

    assert checks.check_4_1_prelu_derivative(answer).correct


def test_reading_torchs_mode_stack_is_refused():
    """The tanh check's sigmoid swap is a torch function mode: an answer
    that read the stack computed 2 swap(2x) only when swapped."""
    from torch.overrides import _get_current_function_mode_stack

    def answer(x):
        for mode in _get_current_function_mode_stack():
            if hasattr(mode, "swap"):
                with torch._C.DisableTorchFunction():
                    return 2 * mode.swap(2 * x)
        e = torch.exp(2 * x)
        return 2 * e / (e + 1)

    def popped(x):
        with torch.overrides._pop_mode_temporarily() as mode:
            pass
        return 2 * getattr(mode, "swap", torch.sigmoid)(2 * x)

    for cheat in (answer, popped):
        verdict = checks.check_4_1_tanh_identity(cheat)
        assert "reads the interpreter's frames" in verdict.message, verdict


def test_a_distributions_log_prob_is_looked_up_under_the_watch():
    """A log_prob property ran before the call started: it could call the
    check's own coefficient table unrefused."""
    from mlp_notes.checks import prior

    class Table(torch.distributions.Distribution):
        arg_constraints: dict = {}

        def __init__(self, *setting):
            super().__init__(validate_args=False)
            self.setting = setting

        @property
        def log_prob(self):
            a = prior.CONFUSIONS[prior.RIGHT](*self.setting)
            return lambda w: -a * (w * w).sum()

    verdict = checks.check_4_5_prior(lambda w, lam, n, s: Table(lam, n, s))
    assert verdict.status == WRONG and "write it" in verdict.message, verdict


def test_a_key_of_the_learners_type_runs_none_of_its_code():
    """A key of the learner's type added to a module's dict: its __hash__
    ran in the kernel's thread as a check lifted patches, where no time
    limit applies (an endless one hung the check).  The check now refuses
    to run, without hashing it (keys of builtin types, an int, are
    harmless: test_checks_guard)."""
    calls = []

    class Odd:
        def __hash__(self):
            calls.append(1)
            return 12345

    key = Odd()
    hooks = torch.nn.modules.module._global_forward_hooks
    original = vars(torch.nn.Module)["extra_repr"]

    def learners(self):  # the learner's patch, kept through the check
        return "mine"

    torch.nn.Module.extra_repr = learners
    vars(activations)[key] = 0
    calls.clear()
    try:
        verdict = checks.check_4_1_prelu_derivative(prelu_right)
        # what was lifted before the odd key is given back: the check's
        # own empty hook dicts stayed in the learner's kernel
        kept = torch.nn.modules.module._global_forward_hooks is hooks
        patched = vars(torch.nn.Module)["extra_repr"]
    finally:
        hashed = len(calls)
        del vars(activations)[key]
        torch.nn.Module.extra_repr = original
    assert not hashed and "could not run" in verdict.message, verdict
    assert kept and patched is learners
    assert checks.check_4_1_prelu_derivative(prelu_right).correct


def test_a_finalizer_cannot_change_the_check_before_its_verdict():
    """A finalizer on the input ran as the check dropped it, after the
    call's patches were lifted, and replaced the check's own comparison:
    the learner's arguments and results now outlive the verdict, and a
    change found at the end is refused."""
    import weakref

    from mlp_notes.checks import mlp

    def loosen():
        mlp.close = lambda *a, **k: True
        mlp.error = lambda *a, **k: 0.0

    def answer(x, alpha):
        weakref.finalize(x, loosen)
        return _ones(x, alpha)

    verdict = checks.check_4_1_prelu_derivative(answer)
    assert verdict.status == WRONG and "identity" in verdict.message, verdict
    assert checks.check_4_1_prelu_derivative(prelu_right).correct


def test_a_change_after_the_last_call_is_refused_at_the_end():
    """What the garbage collector runs (a learner's __del__) can change
    mlp_notes after the last call's patches were lifted: the run's end
    compares the package with its state at the first call."""
    from mlp_notes.checks import audit
    from mlp_notes.checks.verdict import WrongAnswerError

    count = [0]

    def ended(change: int) -> None:
        run = guard.Run(({}, {}, {}), lambda: None, lambda: ((), (count[0],)))
        run.calls, run.calm = 1, run.state()  # as after one call
        audit.watching(run.late)
        count[0] += change  # a name added to one of the package's modules
        run.finish()

    ended(0)
    with pytest.raises(WrongAnswerError, match="changed mlp_notes"):
        ended(1)


# Battery 9 (helper-33): ids of code objects that outlived them.


def test_a_code_seen_and_freed_leaves_no_id_for_a_copy():
    """The tracer cached "not a copy" by a code object's id; the learner's
    function freed a code it had run and compiled a copy of the reference
    until one took the freed address, and the copy went unrefused (a
    false 'correct').  The tracer now keeps each code it judged."""
    ref = kept_reference.__code__
    home = dict(vars(activations))

    def prelu_grad(x, alpha):
        doc = ("an innocent docstring",) + ref.co_consts[1:]
        other = ref.replace(co_consts=doc, co_filename="<cell>")
        types.FunctionType(other, home)(x, alpha)  # judged: not a copy
        stale = id(other)
        del other
        keep = []
        for _ in range(20_000):
            copy = ref.replace(co_filename="<cell>")  # its docstring kept
            if id(copy) == stale:
                return types.FunctionType(copy, home)(x, alpha)
            keep.append(copy)
        return x * 0 + 7.0  # no address reused: a wrong answer

    verdict = checks.check_4_1_prelu_derivative(prelu_grad)
    assert verdict.status == WRONG, verdict


_RELAY = """
import logging, sys, types
from mlp_notes import checks

def peek(frame):
    while frame.f_code.co_name != "_check_4_7_bias_gradient":
        frame = frame.f_back
    return frame.f_locals["want"].clone()

names = {"sys": sys, "peek": peek}
base = eval("lambda dJ_dz, get=sys._getframe: peek(get())", names)
stale = id(logging.currentframe.__code__)
logging.currentframe = None  # an earlier cell
answer, keep = base, []
for _ in range(20_000):
    code = base.__code__.replace(co_name="bias_gradient")
    if id(code) == stale:
        answer = types.FunctionType(code, names, None, base.__defaults__)
        break
    keep.append(code)
print(answer is not base, checks.check_4_7_bias_gradient(answer).status)
"""


def test_a_replaced_relay_leaves_no_id_for_the_learner():
    """``logging.currentframe`` is told by the id of its code; replaced in
    an earlier cell, its code was freed and the learner's own code could
    take its address, be skipped as a relay and read the check's frame
    unrefused (a false 'correct').  The relays' code objects are kept (a
    fresh process: this one's logging must keep its own function)."""
    done = fresh.python(_RELAY, timeout=300)
    assert done.stdout.split()[-1] == WRONG, done.stdout


_LEFT = [
    "torch.set_grad_enabled(False)",
    "torch._C._set_grad_enabled(False)",
    "torch.no_grad().__enter__()",
    "torch.autocast('cpu', dtype=torch.bfloat16).__enter__()",
]


@pytest.mark.parametrize("leave", _LEFT)
def test_grad_mode_or_autocast_left_changed_is_put_back(leave):
    """Grad mode switched off and left off made the memory check measure
    nothing saved for backward: an answer of 0 bytes passed, and the
    right count failed (autocast left on: the same).  Both are put back
    after the learner's call."""
    from practice_answers import REFERENCE, exec_answer

    right = REFERENCE["training_bytes"].replace("):\n", f"):\n    {leave}\n")
    cheat = f"def training_bytes(batch, hiddens):\n    {leave}\n    return 0"
    check = checks.check_4_7_training_memory
    assert check(exec_answer("training_bytes", right)).correct
    verdict = check(exec_answer("training_bytes", cheat))
    assert verdict.status == WRONG, verdict


def test_inference_mode_left_on_is_refused():
    """Inference mode cannot be put back from outside its ``with``: left
    on, it is refused like a torch mode left on."""

    kept = []  # dropped, the mode object would exit itself

    def leaves(x, alpha):
        kept.append(torch.inference_mode())
        kept[-1].__enter__()
        return prelu_right(x, alpha)

    _check_gives(leaves, "left a torch mode active")
    kept.clear()
    assert not torch.is_inference_mode_enabled()


def test_the_memory_probes_hooks_are_put_back():
    """The memory check measures through torch's saved-tensor hooks,
    pushed by ``torch._C._autograd``: replaced during the call, they
    measured nothing, and an answer of 0 bytes passed."""
    import torch._C._autograd as hooks

    push, pop = (
        hooks._push_saved_tensors_default_hooks,
        hooks._pop_saved_tensors_default_hooks,
    )

    def training_bytes(batch, hiddens):
        hooks._push_saved_tensors_default_hooks = lambda pack, unpack: None
        hooks._pop_saved_tensors_default_hooks = lambda: None
        return 0

    try:
        verdict = checks.check_4_7_training_memory(training_bytes)
    finally:
        hooks._push_saved_tensors_default_hooks = push
        hooks._pop_saved_tensors_default_hooks = pop
    assert verdict.status == WRONG, verdict


_PEEKS = """
def bias_gradient(dz):
    f = sys._getframe(1)
    while f.f_code.co_name != "_check_4_7_bias_gradient":
        f = f.f_back
    return f.f_locals["want"].clone()
"""


@pytest.mark.parametrize(
    "where",
    [
        "<frozen cell>",
        os.path.dirname(activations.__file__) + "_mine/cell.py",
        sys.prefix + "-notebooks/cell.py",
        "/tmp/ipykernel_77/3.py",
    ],
)
def test_only_librarys_own_folders_and_frozen_modules_are_library(where):
    """A library folder matched as a prefix without its separator
    (``mlp_notes_mine/``, ``.venv-notebooks/``) and any ``<frozen ...>``
    name counted as library code, whose frame reads go unrefused: the
    learner's code compiled there read the check's reference."""
    found = {"sys": sys}
    exec(compile(_PEEKS, where, "exec"), found)
    verdict = checks.check_4_7_bias_gradient(found["bias_gradient"])
    assert verdict.status == WRONG, verdict
    assert callers.frozen("<frozen importlib._bootstrap>")
    assert not callers.frozen(where)


def test_a_stack_of_relay_frames_alone_runs_no_learners_code():
    """``learners`` skips inspect's and traceback's frames to the code
    they work for; where nothing is left (a thread whose whole stack is
    theirs) no learner's code runs (``return True`` there survived seed
    6's mutation sample)."""
    import inspect

    found = {"sys": sys}
    top = "def top(box):\n    box.append(sys._getframe())\n"
    exec(compile(top, inspect.__file__, "exec"), found)

    def frame_of(start) -> types.FrameType:
        box: list = []
        start(box)
        end = time.monotonic() + 10
        while not box and time.monotonic() < end:
            time.sleep(0.01)
        return box[0]

    alone = frame_of(
        lambda box: _thread.start_new_thread(found["top"], (box,))
    )
    assert alone.f_back is None  # inspect's frame, nothing under it
    assert not callers.learners(alone)
    called = frame_of(  # under it, a function of this file: a learner's
        lambda box: _thread.start_new_thread(lambda: found["top"](box), ())
    )
    assert callers.learners(called)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the old names
@pytest.mark.parametrize("modern", [True, False], ids=["torch>=2.4", "2.2"])
def test_autocast_is_read_and_put_back_through_either_api(modern):
    """torch 2.2 and 2.3 (the oldest the package supports) have no
    device argument to the autocast switches: both forms read and set
    the same switch, for each device."""
    for device in switches.DEVICES:
        (on, set_on, dtype, set_dtype), a = switches.autocast_of(
            device, modern
        )
        (new_on, _, new_dtype, _), b = switches.autocast_of(device, True)

        def now(new_on=new_on, new_dtype=new_dtype, b=b):
            return new_on(*b), new_dtype(*b)

        was = now()
        try:
            set_on(*a, not was[0])
            set_dtype(
                *a, torch.bfloat16 if was[1] != torch.bfloat16 else torch.half
            )
            assert now() == (on(*a), dtype(*a)) != was, device
        finally:
            set_on(*a, was[0])
            set_dtype(*a, was[1])
        assert now() == was


@pytest.mark.parametrize("how", ["key", "guard"])
def test_a_dispatch_key_left_excluded_is_refused(how):
    """Autograd's dispatch key excluded and left so (one call, or a guard
    entered and kept) made the memory check measure nothing saved: an
    answer of 0 bytes passed (helper-34)."""
    kept = []

    def training_bytes(batch, hiddens):
        if how == "key":
            key = torch._C.DispatchKey.AutogradCPU
            torch._C._dispatch_tls_set_dispatch_key_excluded(key, True)
        else:
            kept.append(torch._C._AutoDispatchBelowAutograd())
            kept[-1].__enter__()
        return 0

    verdict = checks.check_4_7_training_memory(training_bytes)
    kept.clear()
    assert verdict.status == WRONG, verdict
    assert "left a torch mode active" in verdict.message, verdict


#: state the checks change as they run, by design (blocked audit hooks,
#: whether code was read, the lifting threads, the stand-ins' caches)
_RUNNING = {"blocked", "reads", "quiet", "_templates", "_holders"}


def test_the_checks_constants_cannot_be_changed_in_place():
    """A set, list, dict or functools.partial among the checks' module
    globals could be changed in place by the learner's call (``_RELAY``
    given the learner's file, ``_KEPT`` emptied, a partial's
    ``__setstate__``), which the check's comparison of its objects by
    identity does not see (helper-34): they are frozensets, tuples and
    read-only mappings of plain values."""
    import importlib
    import pkgutil

    mutable = (list, dict, set, bytearray, functools.partial)
    found = []
    for info in pkgutil.iter_modules(checks.__path__):
        module = importlib.import_module(f"mlp_notes.checks.{info.name}")
        for name, value in vars(module).items():
            if name.startswith("__") or name in _RUNNING:
                continue
            stack = [value] if type(value) in (tuple, *mutable) else []
            while stack:
                item = stack.pop()
                if isinstance(item, mutable):
                    found.append(f"{info.name}.{name}")
                    break
                if type(item) is tuple:
                    stack.extend(item)
    assert not found, found
