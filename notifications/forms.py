from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.channels import apprise_url_valid
from notifications.models import Channel, NotificationSettings


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = [
            "status_changes",
            "deadline_alerts",
            "email_enabled",
            "not_tracked_days",
            "dispute_days",
            "transit_stall_days",
            "customs_stall_days",
            "maybe_lost_days",
            "search_reminder_days",
            "pickup_reminder_days",
            "storage_days",
            "storage_reminder_days",
            "protection_first_reminder_days",
            "protection_last_reminder_days",
        ]
        widgets = {"status_changes": forms.RadioSelect}


class ChannelForm(forms.ModelForm):
    class Meta:
        model = Channel
        fields = ["label", "url"]
        help_texts = {
            "url": _("For example tgram://bottoken/ChatID, ntfy://topic, discord://webhook_id/webhook_token.")
        }

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if not apprise_url_valid(url):
            raise forms.ValidationError(
                _("Apprise does not recognize this URL: check the format of the service.")
            )
        return url
