"""The catalogue of the maturity model in the REST API, read-only.

A framework's detail is the whole tree of the standard as
``maturity.selectors.framework_tree`` reads it: levels, governance
principles, modules, the lifecycle module's stages and every requirement.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from maturity.models import Framework
from maturity.selectors import framework_tree


class FrameworkSerializer(serializers.ModelSerializer):
    class Meta:
        model = Framework
        fields = [
            "id",
            "code",
            "version",
            "title",
            "title_en",
            "source",
            "installed_at",
        ]


class LevelSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=5)
    name = serializers.CharField()
    name_en = serializers.CharField()
    characteristic = serializers.CharField()
    description = serializers.CharField()
    details = serializers.ListField(child=serializers.CharField())


class PrincipleSerializer(serializers.Serializer):
    name = serializers.CharField()
    name_en = serializers.CharField()
    description = serializers.CharField()


class RequirementPartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["item", "note"])
    text = serializers.CharField()


class CatalogueRequirementSerializer(serializers.Serializer):
    code = serializers.CharField()
    level = serializers.IntegerField(min_value=1, max_value=5)
    text = serializers.CharField()
    parts = RequirementPartSerializer(many=True)


class StageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    description = serializers.CharField()
    requirements = CatalogueRequirementSerializer(many=True)


class ModuleSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    description = serializers.CharField()
    stages = StageSerializer(
        many=True,
        required=False,
        help_text=_("The stages of the lifecycle module; absent elsewhere."),
    )
    requirements = CatalogueRequirementSerializer(
        many=True,
        required=False,
        help_text=_("The requirements of a module without stages."),
    )


class FrameworkTreeSerializer(FrameworkSerializer):
    levels = LevelSerializer(many=True, read_only=True)
    principles = PrincipleSerializer(many=True, read_only=True)
    modules = ModuleSerializer(many=True, read_only=True)

    class Meta(FrameworkSerializer.Meta):
        fields = [*FrameworkSerializer.Meta.fields, "levels", "principles", "modules"]

    def to_representation(self, instance):
        tree = framework_tree(instance)
        data = super().to_representation(instance)
        for key in ("levels", "principles", "modules"):
            data[key] = tree[key]
        return data


class FrameworkFilterSerializer(serializers.Serializer):
    code = serializers.CharField(
        required=False, max_length=32, help_text=_("Only this framework code.")
    )


@extend_schema_view(
    list=extend_schema(
        summary=_("List the installed versions of the standard"),
        parameters=[FrameworkFilterSerializer],
    ),
    retrieve=extend_schema(summary=_("Read a version of the standard, whole")),
)
class FrameworkViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The installed versions of the standard."""

    queryset = Framework.objects.order_by("code", "-installed_at", "-pk")
    lookup_value_converter = "id"

    # Statuses particular to some actions, for the schema; see api.schema.
    error_statuses = {"list": {400}}

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            return queryset
        filters = FrameworkFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        code = filters.validated_data.get("code")
        return queryset.filter(code=code) if code else queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return FrameworkTreeSerializer
        return FrameworkSerializer
