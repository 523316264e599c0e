"""The stylesheet of the run's own pages (index, comparison, runs list): Chinese fonts first, print-friendly.

Below the runner and the comparison page, which both use it.
"""

PAGE_STYLE = """
body{font-family:"Noto Sans SC","Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;
     max-width:70em;margin:1.5em auto;padding:0 1em;color:#222;line-height:1.5}
table{border-collapse:collapse;margin:0.8em 0;width:100%}
th,td{border:1px solid #bbb;padding:0.3em 0.5em;text-align:left;font-size:0.95em}
th{background:#eef}
.ok{background:#e7f6e7}.failed{background:#fbdada}.skipped{background:#eef3fb}
.complete{color:#060}.partial{color:#a60}.failed_run{color:#c00}
code{font-size:0.9em}
.scroll{overflow-x:auto}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.city th,tr.city td{font-weight:bold;border-top:2px solid #888}
.est{color:#a60;font-weight:bold}
.draft{color:#b03;font-weight:bold}
details{margin:0.8em 0}summary{cursor:pointer;font-weight:bold}
.method-notes small.en{color:#666}
"""
