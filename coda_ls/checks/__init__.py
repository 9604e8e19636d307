"""Checks over a project's history: documentation that mentions changed symbols
(`docs`), changes without a changelog entry (`changelog`), and the model-proposed fixes
for both (`propose`). All of them read history through the VCS layer (`coda_ls.vcs`), so
they work in any system whose backend answers the history queries (git, Mercurial)."""
