from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from accounts.models import User
from parcels.models import Folder, Parcel


class DateInput(forms.DateInput):
    input_type = "date"


class OwnedFolderField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(queryset=Folder.objects.none(), required=False, empty_label=_("No folder"), **kwargs)


def _limit_folders(form: forms.Form, owner: User) -> None:
    form.fields["folder"].queryset = Folder.objects.filter(owner=owner)


class ParcelAddForm(forms.Form):
    code = forms.CharField(
        label=_("Track code"),
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "spellcheck": "false",
                "hx-get": reverse_lazy("parcels:identify"),
                "hx-trigger": "input changed delay:250ms, load",
                "hx-target": "#recognition",
                "hx-include": "[name=destination_country]",
            }
        ),
    )
    comment = forms.CharField(label=_("Comment"), max_length=200, required=False)
    folder = OwnedFolderField(label=_("Folder"))
    destination_country = LazyTypedChoiceField(label=_("Goes to"), choices=countries)
    shipped_on = forms.DateField(label=_("Shipped on"), required=False, widget=DateInput)
    protection_ends_on = forms.DateField(
        label=_("Buyer protection ends on"),
        required=False,
        widget=DateInput,
        help_text=Parcel._meta.get_field("protection_ends_on").help_text,
    )
    confirm = forms.BooleanField(
        label=_("Add it anyway: I copied the code exactly as the seller gave it"), required=False
    )

    def __init__(self, *args, owner: User, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_folders(self, owner)
        # Country names in the language of this request, not of the moment the module loaded.
        self.fields["destination_country"].choices = list(countries)
        self.fields["destination_country"].initial = owner.destination_country.code


class ParcelEditForm(forms.ModelForm):
    folder = OwnedFolderField(label=_("Folder"))

    class Meta:
        model = Parcel
        fields = ["comment", "folder", "destination_country", "shipped_on", "protection_ends_on"]
        widgets = {"shipped_on": DateInput, "protection_ends_on": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_folders(self, self.instance.owner)


class BulkAddForm(forms.Form):
    MODES = [
        ("auto", _("Decide from the content")),
        ("lines", _("A list: one code per line, a comment after it")),
        ("found", _("Find every track code in the text (an email, a web page)")),
    ]
    text = forms.CharField(
        label=_("Codes, or any text with codes in it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "class": "font-monospace"}),
        help_text=_("Up to 500 lines, for example “RR123456785CN phone case”."),
    )
    file = forms.FileField(
        label=_("…or a file: a saved email (.eml), a web page (.html) or text"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": ".eml,.html,.htm,.txt,message/rfc822,text/html,text/plain"}
        ),
    )
    mode = forms.ChoiceField(label=_("How to read it"), choices=MODES, initial="auto")
    folder = OwnedFolderField(label=_("Put them in the folder"))

    def __init__(self, *args, owner: User, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_folders(self, owner)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("text", "").strip() and not cleaned.get("file"):
            raise forms.ValidationError(_("Paste some codes or choose a file."))
        return cleaned


class FolderForm(forms.ModelForm):
    class Meta:
        model = Folder
        fields = ["name"]


class MoveForm(forms.Form):
    parcels = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=True)
    folder = OwnedFolderField()

    def __init__(self, *args, owner: User, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_folders(self, owner)
        # Any id is accepted here; the service moves only the owner's own parcels.
        self.fields["parcels"].valid_value = lambda value: str(value).isdigit()


class CsvImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file exported from this tracker"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
