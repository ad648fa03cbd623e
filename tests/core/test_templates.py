"""Chat template choice and sandboxed rendering (no model, no process)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearth.core.engine.templates import (
    CHATML_FALLBACK,
    PLAIN_FALLBACK,
    PromptRenderer,
    TemplateError,
    choose_template,
)
from hearth.testing.gguf_factory import CHATML_TEMPLATE

HELLO = [{"role": "user", "content": "Hello"}]


def renderer(template: str) -> PromptRenderer:
    choice = choose_template(override=template, model_template=None, has_chatml_tokens=False)
    return PromptRenderer(choice, bos_token="<s>", eos_token="</s>")


def test_override_beats_the_model_template() -> None:
    choice = choose_template(override="{{ 'x' }}", model_template=CHATML_TEMPLATE, has_chatml_tokens=True)
    assert (choice.source, choice.template, choice.notice) == ("override", "{{ 'x' }}", None)


def test_model_template_beats_the_fallback() -> None:
    choice = choose_template(override="  ", model_template=CHATML_TEMPLATE, has_chatml_tokens=False)
    assert (choice.source, choice.template, choice.notice) == ("model", CHATML_TEMPLATE, None)


def test_fallback_is_chatml_when_the_vocabulary_has_its_tokens() -> None:
    choice = choose_template(override=None, model_template=None, has_chatml_tokens=True)
    assert (choice.source, choice.template, choice.name) == ("fallback", CHATML_FALLBACK, "ChatML")
    assert choice.notice and "no chat template" in choice.notice and "ChatML" in choice.notice


def test_fallback_for_a_base_model_is_a_plain_transcript() -> None:
    choice = choose_template(override=None, model_template="", has_chatml_tokens=False)
    assert (choice.source, choice.template) == ("fallback", PLAIN_FALLBACK)
    assert choice.notice and "base model" in choice.notice
    assert choice.stop == ("\nUser:",)
    messages = [{"role": "system", "content": "Be brief."}, *HELLO, {"role": "assistant", "content": "Hi."}]
    prompt = PromptRenderer(choice, bos_token="", eos_token="").render([*messages, {"role": "user", "content": "?"}])
    assert prompt == "Be brief.\n\nUser: Hello\nAssistant: Hi.\nUser: ?\nAssistant:"


def test_renders_with_bos_and_eos() -> None:
    prompt = renderer("{{ bos_token }}{% for m in messages %}{{ m['content'] }}{{ eos_token }}{% endfor %}")
    assert prompt.render(HELLO) == "<s>Hello</s>"


PAYLOADS = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "{{ joiner.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "{% for c in ().__class__.__base__.__subclasses__() %}{% if 'Popen' in c.__name__ %}"
    "{{ c(['touch', 'MARKER']) }}{% endif %}{% endfor %}",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sandbox_escape_is_blocked_and_runs_nothing(payload: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    template = renderer(payload.replace("MARKER", str(marker)))
    with pytest.raises(TemplateError) as raised:
        template.render(HELLO)
    assert raised.value.unsafe
    assert "sandbox" in str(raised.value) and "nothing was run" in str(raised.value)
    with pytest.raises(TemplateError):
        template.check()  # caught at load time, before any reply
    assert not marker.exists()


def test_syntax_error_is_clear() -> None:
    with pytest.raises(TemplateError) as raised:
        renderer("{% if %}")
    assert not raised.value.unsafe
    assert "not valid Jinja" in str(raised.value) and "line 1" in str(raised.value)


def test_template_that_rejects_a_conversation() -> None:
    template = renderer(
        "{% if messages[0]['role'] != 'system' %}{{ raise_exception('Start with a system message') }}{% endif %}ok"
    )
    template.check()  # not an error at load: the template is valid
    with pytest.raises(TemplateError, match="Start with a system message") as raised:
        template.render(HELLO)
    assert not raised.value.unsafe
    assert template.render([{"role": "system", "content": "x"}]) == "ok"
