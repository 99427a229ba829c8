"""Kernel Lab's MkDocs plugins (build time only, never shipped to the browser): kernel-lab (plugin.py: calculators,
figures, the Python runtime, licences, CSP, _headers) and kernel-lab-theme (theme.py: Material's start-up script in
short tasks). The pages' figures are rendered here from the stored runs and benchmarks (render*.py, factcheck.py,
benchmarks.py, convnext.py), registered in one place (figures.py)."""
