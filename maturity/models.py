"""The maturity model as data: frameworks, levels, modules, stages, requirements.

Every row carries a natural key, so fixtures can be loaded again and again
without duplicating anything, and two versions of the standard can live side
by side: an assessment pins the version it was made against.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

LEVEL_NUMBERS = range(1, 6)
level_validators = [MinValueValidator(1), MaxValueValidator(5)]


class FrameworkManager(models.Manager):
    def get_by_natural_key(self, code, version):
        return self.get(code=code, version=version)

    def latest_version(self, code):
        """Return the most recently installed version of the framework ``code``."""
        return self.filter(code=code).order_by("-installed_at", "-pk").first()


class Framework(models.Model):
    code = models.CharField(_("code"), max_length=32)
    version = models.CharField(_("version"), max_length=32)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200)
    # Where the text comes from, e.g. the standard's number and draft status.
    source = models.CharField(_("source reference"), max_length=300)
    installed_at = models.DateTimeField(_("installed at"), auto_now_add=True)

    objects = FrameworkManager()

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"], name="framework_code_version_unique"
            )
        ]
        ordering = ["code", "version"]

    def __str__(self):
        return f"{self.title} ({self.code} {self.version})"

    def get_absolute_url(self):
        return reverse(
            "maturity:framework-detail",
            kwargs={"code": self.code, "version": self.version},
        )

    def natural_key(self):
        return (self.code, self.version)


@receiver(pre_save, sender=Framework, dispatch_uid="maturity_framework_installed_at")
def keep_installed_at(sender, instance, raw, **kwargs):
    """Stamp a framework loaded from a fixture with its first installation time.

    Fixture loading saves raw, which skips ``auto_now_add``: without this a
    fixture that leaves ``installed_at`` out could not be loaded, and loading
    it again must not make an old version look like the latest one.
    """
    if not raw or instance.installed_at is not None:
        return
    existing = None
    if instance.pk is not None:
        existing = (
            sender.objects.filter(pk=instance.pk)
            .values_list("installed_at", flat=True)
            .first()
        )
    instance.installed_at = existing or timezone.now()


class LevelManager(models.Manager):
    def get_by_natural_key(self, code, version, number):
        return self.get(framework__code=code, framework__version=version, number=number)


# The rank of each level as the standard writes it: 第一级 … 第五级.
LEVEL_ORDINALS = {
    1: pgettext_lazy("maturity level", "Level 1"),
    2: pgettext_lazy("maturity level", "Level 2"),
    3: pgettext_lazy("maturity level", "Level 3"),
    4: pgettext_lazy("maturity level", "Level 4"),
    5: pgettext_lazy("maturity level", "Level 5"),
}


class Level(models.Model):
    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="levels"
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=level_validators)
    name = models.CharField(_("name"), max_length=20)
    name_en = models.CharField(_("English name"), max_length=40)
    # 特征: the one-paragraph characteristic of the level.
    characteristic = models.TextField(_("characteristic"))
    # 详细说明: the lead sentence, followed by the numbered points in ``details``.
    description = models.TextField(_("description"))
    details = models.JSONField(_("details"), default=list)

    objects = LevelManager()

    class Meta:
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="level_framework_number_unique"
            )
        ]
        ordering = ["framework", "number"]

    def __str__(self):
        return f"{self.number} {self.name}"

    def natural_key(self):
        return (*self.framework.natural_key(), self.number)

    natural_key.dependencies = ["maturity.framework"]


class PrincipleManager(models.Manager):
    def get_by_natural_key(self, code, version, position):
        return self.get(
            framework__code=code, framework__version=version, position=position
        )


class Principle(models.Model):
    """One of the governance principles (治理原则) of the risk domain dimension."""

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="principles"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=100)
    description = models.TextField(_("description"))

    objects = PrincipleManager()

    class Meta:
        verbose_name = _("governance principle")
        verbose_name_plural = _("governance principles")
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "position"],
                name="principle_framework_position_unique",
            )
        ]
        ordering = ["framework", "position"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.framework.natural_key(), self.position)

    natural_key.dependencies = ["maturity.framework"]


class ModuleManager(models.Manager):
    def get_by_natural_key(self, code, version, module_code):
        return self.get(
            framework__code=code, framework__version=version, code=module_code
        )


class Module(models.Model):
    """A sub-model of the framework, such as Strategy or Model Lifecycle."""

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="modules"
    )
    code = models.CharField(_("code"), max_length=16)
    # Order of the framework's list of sub-models, from a) to k).
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=100)
    # The paragraph that opens the module's section of the standard.
    description = models.TextField(_("description"))
    # The module's entry in the framework's list of sub-models.
    summary = models.TextField(_("summary"), blank=True)

    objects = ModuleManager()

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"], name="module_framework_code_unique"
            )
        ]
        ordering = ["framework", "position"]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse(
            "maturity:module-detail",
            kwargs={
                "code": self.framework.code,
                "version": self.framework.version,
                "module": self.code,
            },
        )

    def natural_key(self):
        return (*self.framework.natural_key(), self.code)

    natural_key.dependencies = ["maturity.framework"]


class StageManager(models.Manager):
    def get_by_natural_key(self, code, version, stage_code):
        return self.get(
            module__framework__code=code,
            module__framework__version=version,
            code=stage_code,
        )


class Stage(models.Model):
    """A stage of the lifecycle module, which has five levels of its own."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="stages")
    code = models.CharField(_("code"), max_length=16)
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=100)
    description = models.TextField(_("description"))

    objects = StageManager()

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(
                fields=["module", "code"], name="stage_module_code_unique"
            )
        ]
        ordering = ["module", "position"]

    def __str__(self):
        return f"{self.code} {self.name}"

    def natural_key(self):
        return (*self.module.framework.natural_key(), self.code)

    natural_key.dependencies = ["maturity.module"]


class RequirementManager(models.Manager):
    def get_by_natural_key(self, code, version, requirement_code):
        return self.get(
            framework__code=code, framework__version=version, code=requirement_code
        )


class Requirement(models.Model):
    """One requirement of a level of a module or of a lifecycle stage.

    Its code reads ``AREA-L.N``: the module or stage code, the level, and the
    requirement's 1-based position within that level in the standard.
    """

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="requirements"
    )
    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, related_name="requirements"
    )
    # Set for the lifecycle module's requirements only.
    stage = models.ForeignKey(
        Stage,
        on_delete=models.CASCADE,
        related_name="requirements",
        null=True,
        blank=True,
    )
    level = models.PositiveSmallIntegerField(_("level"), validators=level_validators)
    position = models.PositiveSmallIntegerField(_("position"))
    # Rank in catalogue order: modules a) to k), stages, levels, then position.
    sequence = models.PositiveIntegerField(_("sequence"))
    code = models.CharField(_("code"), max_length=24)
    text = models.TextField(_("text"))
    # Numbered sub-points and notes, in source order, each a mapping
    # {"kind": "item" | "note", "text": "..."}.
    parts = models.JSONField(_("parts"), default=list, blank=True)

    objects = RequirementManager()

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"], name="requirement_framework_code_unique"
            )
        ]
        ordering = ["framework", "sequence"]

    def __str__(self):
        return self.code

    def natural_key(self):
        return (*self.framework.natural_key(), self.code)

    natural_key.dependencies = ["maturity.module", "maturity.stage"]

    @property
    def area_code(self) -> str:
        """Return the code of the stage or, outside the lifecycle, the module."""
        return self.code.rsplit("-", 1)[0]
