"""The site's Python: the calculators and the HTML they return, built on calc.

It runs twice: at build time, when the MkDocs hooks render each calculator's default result into its page,
and in the reader's browser, where a Web Worker runs the same code on Pyodide (the runtime bundle ships this
package beside calc). Imports go one way: kernel_lab imports calc; calc never imports kernel_lab.

- ``html``: the one way to make HTML (``html(template, ...)`` escapes every value that is not Markup).
- ``charts``: the one chart module (line chart, bars, heat map) in SVG coloured by CSS classes.
- ``forms``: a calculator's form, declared by its signature.
- ``calculators``: the calculators and static figures, each a function from typed inputs to Markup.
- ``worker``: the browser worker's entry point (JSON in, JSON out).
"""
