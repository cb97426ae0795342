"""gunicorn settings every Sanctuary server uses (``gunicorn -c python:sanctuary.gunicorn_conf``: ``up``, the
Dockerfile, the fault drills).

- The access log names the path, never the query string or the referrer: the admin's search box sends what
  was typed (a patient's name) as ``?q=``, and a referrer would repeat it for the next page.
- No control socket: it is one per user (``$HOME/.gunicorn/gunicorn.ctl``), so a second server, or stopping
  one, would take another's. Nothing here uses it.
"""

access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
control_socket_disable = True
