"""Import an assessment file (JSON) or archive (ZIP) into an organisation."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from assessments.interchange import services
from assessments.interchange.archive import read_assessment_file
from assessments.interchange.errors import FileRefused
from assessments.models import Organisation


class Command(BaseCommand):
    help = (
        "Create a draft assessment of an organisation from an exported JSON or "
        "ZIP file, as one of its administrators, and print its id."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="assessment file (.json) or archive (.zip)")
        parser.add_argument(
            "--organisation", required=True, help="short name of the organisation"
        )
        parser.add_argument(
            "--user", required=True, help="username of an administrator of it"
        )
        parser.add_argument(
            "--with-reviews",
            action="store_true",
            help=(
                "also import the auditor's verdicts (as comments, which make no "
                "verified level), findings and comments"
            ),
        )

    def handle(self, *args, file, organisation, user, with_reviews, **options):
        target = Organisation.objects.filter(slug=organisation).first()
        if target is None:
            raise CommandError(f"--organisation {organisation}: no such organisation")
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"--user {user}: no such active user")

        try:
            with Path(file).open("rb") as handle:
                result = self._import(File(handle), target, actor, with_reviews)
        except OSError as error:
            raise CommandError(f"{file}: cannot read file ({error.strerror})") from None
        except FileRefused as error:
            raise CommandError(f"{file}: " + "\n".join(error.messages)) from None
        except PermissionDenied as error:
            raise CommandError(f"--user {user}: {error}") from None
        self.stdout.write(str(result.assessment.pk))
        if result.renamed_from:
            self.stderr.write(
                f"{organisation} already has an assessment titled "
                f"“{result.renamed_from}”; this one is titled "
                f"“{result.assessment.title}”."
            )
        if result.reviews_as_comments:
            self.stderr.write(
                f"{result.reviews_as_comments} reviews came in as comments: "
                "they make no verified level until an auditor here reviews "
                "the answers."
            )
        if result.files_left_out:
            self.stderr.write(
                f"{result.files_left_out} file items left out: a JSON file carries "
                "no files; import the ZIP to bring them."
            )
        if result.comments_left_out:
            self.stderr.write(
                f"{result.comments_left_out} comments about file items left out "
                "with them."
            )

    def _import(self, handle, organisation, actor, with_reviews):
        # Read as the import page reads an upload, with the same refusals.
        document, files = read_assessment_file(handle)
        return services.assessment_import(
            organisation=organisation,
            document=document,
            files=files,
            with_reviews=with_reviews,
            actor=actor,
        )
