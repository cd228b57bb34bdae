"""A demo organisation with two years of assessments, for trying the portal.

栖桐普惠金融科技有限公司 is a fictional mid-sized consumer lender using
credit-scoring, anti-fraud and customer-service models. Its 2025 assessment
was reviewed, returned, fixed and finalised by an external auditor; the
2026 one was started from it and is in review. Every account signs in with
the same password, ``Demo-pass-2026``:

============  ======  ===========================================  ==========
username      name    who                                          role
============  ======  ===========================================  ==========
admin         周思远  合规总监, organisation administrator          admin
assessor      林晓雯  模型风险管理处 高级经理                        assessor
assessor2     陈嘉豪  数据科学部 模型治理专员                        assessor
viewer        王立军  首席风险官, reads the results                 viewer
auditor       苏明哲  外部审计 (衡知鉴证咨询), not a member          auditor
============  ======  ===========================================  ==========

The auditor holds a grant on the 2026 assessment for about six months and
a revoked one on the 2025 assessment. The words live in ``content.toml``;
``loader`` writes them through the services.
"""

from assessments.demo.loader import (
    DemoError,
    LevelRow,
    LoadResult,
    demo_exists,
    level_table,
    load_demo,
)

__all__ = [
    "DemoError",
    "LevelRow",
    "LoadResult",
    "demo_exists",
    "level_table",
    "load_demo",
]
