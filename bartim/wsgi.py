import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bartim.settings")

application = get_wsgi_application()

# The loaded project's objects live as long as the process: frozen, the cycle collector no
# longer walks them on each of its runs, about 1.5 ms of a table page's 18 ms of CPU. A
# higher collection threshold saved a little more but let a worker grow by hundreds of MB
# more on a province's targeting page (docs/performance.md).
gc.freeze()
