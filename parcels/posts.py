"""Who can be asked about a parcel, and where a person can look it up on the carrier's own site.

`CARRIER_SITES` are the services we track through (slugs shared with `parcels/carriers/`) and the
express couriers; `NATIONAL_POSTS` maps a posting country to its post, for the origin and the
destination of international items.
"""

from dataclasses import dataclass
from urllib.parse import quote

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class CarrierSite:
    slug: str
    name: str
    tracking_url: str  # "{code}" is replaced by the track code

    def url_for(self, code: str) -> str:
        return self.tracking_url.format(code=quote(code))


RUSSIAN_POST = "russian_post"
CAINIAO = "cainiao"
SEVENTEEN_TRACK = "17track"
SANDBOX = "sandbox"

CARRIER_SITES: dict[str, CarrierSite] = {
    site.slug: site
    for site in (
        CarrierSite(RUSSIAN_POST, _("Russian Post"), "https://www.pochta.ru/tracking?barcode={code}"),
        CarrierSite(CAINIAO, "Cainiao", "https://global.cainiao.com/newDetail.htm?mailNoList={code}"),
        CarrierSite(SEVENTEEN_TRACK, "17TRACK", "https://t.17track.net/en#nums={code}"),
        CarrierSite(SANDBOX, _("Sandbox (demo carrier)"), ""),
        CarrierSite("ups", "UPS", "https://www.ups.com/track?tracknum={code}"),
        CarrierSite("fedex", "FedEx", "https://www.fedex.com/fedextrack/?trknbr={code}"),
        CarrierSite("dhl", "DHL", "https://www.dhl.com/global-en/home/tracking.html?tracking-id={code}"),
        CarrierSite("usps", "USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={code}"),
        CarrierSite("yunexpress", "YunExpress", "https://www.yuntrack.com/parcelTracking?id={code}"),
        CarrierSite("yanwen", "Yanwen", "https://track.yw56.com.cn/en/querydel?nums={code}"),
        CarrierSite("4px", "4PX", "https://track.4px.com/#/result/0/{code}"),
    )
}

# Posts of the countries our users' parcels most often come from or go to.
NATIONAL_POSTS: dict[str, CarrierSite] = {
    "RU": CARRIER_SITES[RUSSIAN_POST],
    "CN": CarrierSite(
        "china_post", _("China Post"), "https://yjcx.ems.com.cn/qps/english/yjcx?mailNum={code}"
    ),
    "HK": CarrierSite(
        "hongkong_post",
        _("Hongkong Post"),
        "https://www.hongkongpost.hk/en/mail_tracking/index.html?trackcode={code}",
    ),
    "SG": CarrierSite("singpost", "SingPost", "https://www.singpost.com/track-items?trackingid={code}"),
    "LV": CarrierSite(
        "latvijas_pasts",
        _("Latvian Post"),
        "https://www.pasts.lv/en/Category/Tracking_of_Postal_Items/?id={code}",
    ),
    "LT": CarrierSite(
        "lietuvos_pastas", _("Lithuanian Post"), "https://www.post.lt/en/help/parcel-search?parcels={code}"
    ),
    "EE": CarrierSite("omniva", "Omniva", "https://www.omniva.ee/private/track_and_trace?barcode={code}"),
    "KZ": CarrierSite("kazpost", _("Kazpost"), "https://post.kz/mail-app/track/{code}"),
    "BY": CarrierSite(
        "belpost", _("Belpost"), "https://belpost.by/en/Otsleditpochtovoyeotpravleniye?number={code}"
    ),
    "UA": CarrierSite(
        "ukrposhta", _("Ukrposhta"), "https://track.ukrposhta.ua/tracking_UA.html?barcode={code}"
    ),
    "US": CARRIER_SITES["usps"],
    "GB": CarrierSite(
        "royal_mail", "Royal Mail", "https://www.royalmail.com/track-your-item#/tracking-results/{code}"
    ),
    "DE": CarrierSite(
        "deutsche_post",
        "Deutsche Post",
        "https://www.deutschepost.de/sendung/simpleQuery.html?form.sendungsnummer={code}",
    ),
    "NL": CarrierSite("postnl", "PostNL", "https://postnl.nl/tracktrace/?B={code}&I=true"),
    "TR": CarrierSite(
        "ptt", _("Turkish Post (PTT)"), "https://gonderitakip.ptt.gov.tr/Track/Verify?q={code}"
    ),
    "JP": CarrierSite(
        "japan_post",
        _("Japan Post"),
        "https://trackings.post.japanpost.jp/services/srv/search/?requestNo1={code}&locale=en",
    ),
    "KR": CarrierSite(
        "korea_post",
        _("Korea Post"),
        "https://service.epost.go.kr/trace.RetrieveEmsRigiTraceList.comm?POST_CODE={code}",
    ),
    "IL": CarrierSite(
        "israel_post", _("Israel Post"), "https://israelpost.co.il/en/itemtrace?itemcode={code}"
    ),
    "PL": CarrierSite(
        "poczta_polska", _("Polish Post"), "https://emonitoring.poczta-polska.pl/?numer={code}"
    ),
    "TW": CarrierSite(
        "chunghwa_post",
        _("Chunghwa Post"),
        "https://postserv.post.gov.tw/pstmail/main_mail.html?targetTxn=EB500201&MAILNO={code}",
    ),
}


def carrier_links(carriers: tuple[str, ...], *, code: str, destination: str = "") -> list[tuple[str, str]]:
    """(name, URL) of each carrier's own tracking page for `code`; 17TRACK always, as the catch-all."""
    slugs = [*carriers, SEVENTEEN_TRACK]
    if destination in NATIONAL_POSTS:
        slugs.insert(len(carriers), NATIONAL_POSTS[destination].slug)
    sites = {site.slug: site for site in (*CARRIER_SITES.values(), *NATIONAL_POSTS.values())}
    links: dict[str, str] = {}
    for slug in slugs:
        site = sites.get(slug)
        if site and site.tracking_url and str(site.name) not in links:
            links[str(site.name)] = site.url_for(code)
    return list(links.items())
