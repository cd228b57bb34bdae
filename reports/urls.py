"""URLs of PDF maturity reports."""

app_name = "reports"

urlpatterns = []
