"""The kernel-lab-theme MkDocs plugin: Material's start-up script in short tasks (website/kernel_lab_mkdocs/
theme_patch.py says why and how). Leave it out of mkdocs.yml's ``plugins:`` and the site ships Material as it is;
it needs the kernel-lab plugin listed before it (whose manifest names the patched files).

- on_config: tells the page template (website/overrides/main.html, ``config.extra.kl_theme_patched``) to load the
  scripts after the first paint, as the patched bundle expects.
- on_files: the theme's bundle and its source map replaced by their patched versions, under names that carry a
  hash of the patched bundle (the kernel-lab manifest: pages name them, ``_headers`` keeps them). Fails open: when
  an edit's anchor is missing (a theme upgrade), the build warns and ships the theme as it is; `mkdocs build
  --strict` (CI) still fails on that warning.
"""

from __future__ import annotations

import logging
import re
from typing import Literal

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from kernel_lab_mkdocs.manifest import Manifest
from kernel_lab_mkdocs.theme_patch import EDITS, ThemePatchError, patch_bundle

__all__ = ["ThemePatchConfig", "ThemePatchPlugin"]

_BUNDLE = re.compile(r"assets/javascripts/bundle\.[0-9a-f]+\.min\.js")
log = logging.getLogger("mkdocs.plugins.kernel_lab.theme")  # under "mkdocs.": --strict counts its warnings


class ThemePatchConfig(base.Config):  # type: ignore[no-untyped-call]  # mkdocs.config.base is untyped here
    """The plugin's options (mkdocs.yml, ``plugins: - kernel-lab-theme: ...``)."""

    skip = c.Type(str, default="")
    """Edits to leave out, comma-separated names of theme_patch.EDITS, for measuring what each one buys (the browser
    benchmark sets it through KERNEL_LAB_THEME_SKIP, which mkdocs.yml binds to it)."""


class ThemePatchPlugin(BasePlugin[ThemePatchConfig]):  # type: ignore[no-untyped-call]
    """It defines on_startup, so `mkdocs serve` keeps the instance between rebuilds, and with it the last patched
    bundle: a rebuild patches again only when the theme's bundle, its map or the edits left out changed."""

    def __init__(self) -> None:
        self._patched: tuple[tuple[str, str, frozenset[str]], tuple[str, str]] | None = None

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        pass  # (defined so that MkDocs keeps this instance)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.skipped = {name.strip() for name in self.config.skip.split(",") if name.strip()}
        if unknown := self.skipped - set(EDITS):
            raise PluginError(f"kernel-lab-theme: skip: no such edit {sorted(unknown)} (the edits: {', '.join(EDITS)})")
        config.extra["kl_theme_patched"] = True
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        manifest = _manifest(config)
        bundles = [f for f in files if _BUNDLE.fullmatch(f.src_uri)]
        source_map = files.get_file_from_path(bundles[0].src_uri + ".map") if len(bundles) == 1 else None
        try:
            if source_map is None:
                raise ThemePatchError(f"theme patch: expected one theme bundle with its map, found {len(bundles)}")
            bundle = bundles[0]
            key = (bundle.content_string, source_map.content_string, frozenset(self.skipped))
            if self._patched is None or self._patched[0] != key:  # (0.2 s of each rebuild otherwise)
                self._patched = (key, patch_bundle(key[0], key[1], self.skipped))
            js, smap = self._patched[1]
        except ThemePatchError as exc:
            log.warning("%s; shipping the theme's start-up script as it is (slower start-up, same pages)", exc)
            config.extra["kl_theme_patched"] = False  # the page template loads it the stock way too
            return files
        old_name = bundle.src_uri.rsplit("/", 1)[1]
        new_path = manifest.name(bundle.src_uri, js.encode())
        new_name = new_path.rsplit("/", 1)[1]
        reference = f"//# sourceMappingURL={old_name}.map"
        if js.count(reference) != 1:  # a source rewrite must happen exactly once, or not ship
            raise PluginError(
                f"kernel-lab-theme: expected {reference!r} once in the patched bundle, found {js.count(reference)}"
            )
        js = js.replace(reference, f"//# sourceMappingURL={new_name}.map")
        manifest.add(new_path + ".map")
        files.remove(bundle)
        files.remove(source_map)
        files.append(File.generated(config, new_path, content=js))
        files.append(File.generated(config, new_path + ".map", content=smap))
        return files


def _manifest(config: MkDocsConfig) -> Manifest:
    plugin = config.plugins.get("kernel-lab")
    manifest = getattr(plugin, "manifest", None)
    if not isinstance(manifest, Manifest):
        raise PluginError("kernel-lab-theme needs the kernel-lab plugin, listed before it in mkdocs.yml's plugins")
    return manifest
