from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # The language the visitor saw the sign-up page in becomes the language of their mail.
        user.language = translation.get_language() or ""
        return super().save_user(request, user, form, commit=commit)
