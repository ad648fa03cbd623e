"""Chat templates: which one a model uses, and rendering it safely.

Why a sandbox: a GGUF's ``tokenizer.chat_template`` is Jinja code written by whoever made the file. Rendering
it in a plain ``jinja2.Environment`` lets a template call into Python (CVE-2024-34359, "Llama Drama":
``cycler.__init__.__globals__.os.popen(...)``). Hearth renders every template — the model's, a user's override
and its own fallbacks — through llama-cpp-python's ``Jinja2ChatFormatter``, which compiles it in an
``ImmutableSandboxedEnvironment``; a template that reaches for Python internals raises ``SecurityError``,
which becomes a :class:`TemplateError` with ``unsafe=True`` and a message that says what to do.

Choice: the user's override, else the model's own template, else a fallback with a visible notice: ChatML when
the vocabulary has ChatML's control tokens (many fine-tunes were trained on it but shipped without a
template), otherwise a plain ``User:``/``Assistant:`` transcript, the only format a base model can continue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import jinja2
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

from hearth.core.engine.protocol import Message, TemplateSource

CHATML_FALLBACK = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
PLAIN_FALLBACK = (
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ message['content'] + '\\n\\n' }}"
    "{% elif message['role'] == 'user' %}{{ 'User: ' + message['content'] + '\\n' }}"
    "{% else %}{{ 'Assistant: ' + message['content'] + '\\n' }}{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}"
)
CHATML_TOKENS = ("<|im_start|>", "<|im_end|>")

_NO_TEMPLATE = "This model has no chat template"
_FIX = "Set a chat template for this model in its settings if replies look wrong."


@dataclass(frozen=True)
class ChatTemplate:
    """The template a loaded model uses; ``stop`` holds extra stop strings the format needs."""

    source: TemplateSource
    name: str
    template: str
    notice: str | None = None
    stop: tuple[str, ...] = ()


class TemplateError(Exception):
    """A template failed to compile or render. ``unsafe``: it tried to escape the sandbox (nothing ran)."""

    def __init__(self, message: str, *, unsafe: bool = False) -> None:
        super().__init__(message)
        self.unsafe = unsafe


def choose_template(*, override: str | None, model_template: str | None, has_chatml_tokens: bool) -> ChatTemplate:
    """Override > the model's ``tokenizer.chat_template`` > a fallback with a notice (see the module docstring)."""
    if override and override.strip():
        return ChatTemplate("override", "your template", override)
    if model_template and model_template.strip():
        return ChatTemplate("model", "the model's template", model_template)
    if has_chatml_tokens:
        notice = f"{_NO_TEMPLATE}; Hearth is using ChatML, which its vocabulary suggests. {_FIX}"
        return ChatTemplate("fallback", "ChatML", CHATML_FALLBACK, notice, ("<|im_end|>",))
    notice = (
        f"{_NO_TEMPLATE} (it is probably a base model, trained to continue text rather than to chat); Hearth "
        f"is using a plain User:/Assistant: transcript. {_FIX}"
    )
    return ChatTemplate("fallback", "plain transcript", PLAIN_FALLBACK, notice, ("\nUser:",))


class PromptRenderer:
    """Renders messages through one template in the sandbox; compiled once per loaded model."""

    def __init__(self, template: ChatTemplate, *, bos_token: str, eos_token: str) -> None:
        self.template = template
        try:
            self._formatter = Jinja2ChatFormatter(template.template, eos_token=eos_token, bos_token=bos_token)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                f"{_capital(template.name)} is not valid Jinja (line {exc.lineno}: {exc.message}). "
                "Fix it or choose another template for this model."
            ) from exc

    def render(self, messages: Sequence[Message]) -> str:
        """The prompt text for ``messages`` with the assistant's turn opened."""
        try:
            return self._formatter(messages=list(messages)).prompt  # type: ignore[arg-type]
        except jinja2.exceptions.SecurityError as exc:
            raise TemplateError(
                f"{_capital(self.template.name)} tried to reach outside the template sandbox ({exc}). Hearth "
                "blocked it and nothing was run. Choose another template for this model, and be wary of where "
                "this file came from.",
                unsafe=True,
            ) from exc
        except (jinja2.TemplateError, ValueError, TypeError, KeyError, IndexError) as exc:
            # ValueError: the template's own raise_exception("..."), e.g. "roles must alternate".
            raise TemplateError(f"{_capital(self.template.name)} could not format this conversation: {exc}") from exc

    def check(self) -> None:
        """Render a one-message conversation, so a template that tries to escape the sandbox fails the load
        with a clear message instead of the first reply. Other render errors wait for a real conversation:
        a valid template may reject this one on purpose (``raise_exception("... must start with system")``)."""
        try:
            self.render([{"role": "user", "content": "Hello"}])
        except TemplateError as exc:
            if exc.unsafe:
                raise


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
