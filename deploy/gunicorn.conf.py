# gunicorn settings for the regency server: `gunicorn -c deploy/gunicorn.conf.py bartim.wsgi`
bind = "127.0.0.1:8000"
workers = 3  # (2 x cores) + 1 on a 1-core VM; the app keeps no state between requests
timeout = 60  # the largest XLSX export of a year stays well under this
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = "127.0.0.1"
