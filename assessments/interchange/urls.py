"""URLs of assessment export and import."""

app_name = "interchange"

urlpatterns = []
