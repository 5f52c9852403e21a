"""The guide's generator: YAML content in, a searchable site and accessible PDFs out.

Its layers, each importing only the ones listed before it (the contract in pyproject.toml,
checked by import-linter in `make test`):

    diskcache    files kept between builds
    content      the model, the loader and its messages, review dates
    sitemap      the site's pages: titles, order, menu, which content each shows
    views        the content as Markdown pages, print HTML, history, search terms
    outputs      the engine (MkDocs), PDFs, checks and finishing of the built site
    pipeline     the build's named steps, the same for build, serve and edit
    commands     the `guide` command line, the preview, the editor and its server
"""
