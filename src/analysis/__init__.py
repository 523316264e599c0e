"""Quanzhou civil-affairs forecast suite (泉州市“十四五”民政事业发展规划 预测工具).

Subpackages
-----------
data        raw-table schemas, loaders, base-population estimation, ingest of new vintages
demography  cohort-component population projection, scenarios' demographic part, backtest
services    elder-care beds, social-work workforce, 低保 ↔ minimum wage, plan indicators
run         papermill runner and report publishing
"""

__version__ = "0.1.0"
