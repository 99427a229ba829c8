# A Content-Security-Policy on every page, generated once the site is written (the kernel-lab plugin's last step).
# Scripts run only from the site's own origin, plus the inline scripts the theme and our override need,
# allowed by their SHA-256 hashes (collected from every page, so that instant navigation, which runs the
# next page's inline scripts in the first page's document, stays allowed); 'wasm-unsafe-eval' lets Pyodide
# compile its WebAssembly. Inline event handlers are refused by the policy, and the build fails if a page has one.

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from mkdocs.exceptions import PluginError

from kernel_lab.html import html

__all__ = ["add_policy", "inline_scripts", "policy"]

_INLINE = re.compile(r"<script(?P<attrs>(?:\s+[^>]*)?)>(?P<body>.*?)</script>", re.S)
_HANDLER = re.compile(r"<[a-zA-Z][^>]*\s(on[a-z]+)\s*=", re.S)
_DATA = re.compile(r'type="(application/(ld\+)?json|kl-after-paint)"')  # not run by the browser


def inline_scripts(page: str) -> list[str]:
    """The bodies of the inline scripts a browser would run in ``page`` (no src, a JavaScript type)."""
    return [
        m["body"] for m in _INLINE.finditer(page) if "src=" not in m["attrs"] and not _DATA.search(m["attrs"] or "")
    ]


def policy(hashes: set[str]) -> str:
    """The policy text for the given script hashes ('sha256-...')."""
    scripts = " ".join(["'self'", "'wasm-unsafe-eval'", *sorted(f"'{h}'" for h in hashes)])
    return (
        "default-src 'self'; "
        f"script-src {scripts}; "
        "worker-src 'self'; connect-src 'self'; img-src 'self' data:; font-src 'self'; "
        "style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; form-action 'self'"
    )


def add_policy(site: Path) -> None:
    """Every page of the built ``site`` gets the policy, allowing the inline scripts of all pages (by hash)."""
    pages = sorted(site.rglob("*.html"))
    hashes: set[str] = set()
    texts = {}
    for path in pages:
        text = path.read_text(encoding="utf-8")
        handler = _HANDLER.search(_INLINE.sub("", text))
        if handler:
            raise PluginError(f"{path.relative_to(site)}: inline event handler {handler[1]}= (CSP refuses it)")
        for body in inline_scripts(text):
            digest = hashlib.sha256(body.encode("utf-8")).digest()
            hashes.add("sha256-" + base64.b64encode(digest).decode("ascii"))
        texts[path] = text
    meta = str(html('<meta http-equiv="Content-Security-Policy" content="{}">', policy(hashes)))
    for path, text in texts.items():
        head = text.find("<head>")
        if head < 0:
            continue
        path.write_text(text[: head + 6] + meta + text[head + 6 :], encoding="utf-8")
