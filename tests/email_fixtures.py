"""Hand-made digests and configs for the email tests: fixed, so golden files stay stable."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from recapmail.config import Config, NewsletterConfig
from recapmail.model import Article, Cluster, Digest, DigestItem, Figure, Highlights, Period

WEEK_47 = Period(
    start=datetime(2026, 11, 15, 23, 0, tzinfo=UTC),  # Monday 16 November, 00:00 in Paris
    end=datetime(2026, 11, 22, 23, 0, tzinfo=UTC),
    label="2026-W47",
    timezone="Europe/Paris",
)


def config(**newsletter: object) -> Config:
    base = NewsletterConfig(
        title="La veille infra ouverte",
        language="fr",
        team="Pôle infrastructure ouverte",
        sender="Pôle infrastructure ouverte <veille@example.org>",
        to=("clients@example.org",),
        brand_color="#0b5cad",
        logo_url="https://www.example.org/logo.png",
        logo_alt="Pôle infrastructure ouverte",
        website_url="https://www.example.org/",
        reason="Vous recevez cette lettre parce que vous travaillez avec notre pôle.",
        unsubscribe_url="https://www.example.org/newsletter/unsubscribe",
    )
    return Config(newsletter=replace(base, **newsletter))  # type: ignore[arg-type]


def item(
    n: int,
    title: str,
    summary: str,
    *,
    feed: str,
    tags: tuple[str, ...] = (),
    language: str = "fr",
    day: int = 18,
    url: str | None = None,
    cluster: str | None = None,
    highlights: tuple[str, ...] = (),
    figures: tuple[Figure, ...] = (),
) -> DigestItem:
    link = url if url is not None else f"https://news.example.net/{n:02d}-article"
    article = Article(
        source=link,
        body=summary,
        kind="feed",
        url=link,
        title=title,
        published=datetime(2026, 11, day, 9, 30, tzinfo=UTC),
        tags=tags,
        language=language,
        feed=feed,
    )
    h = Highlights(
        article=article,
        title=title,
        language=language,
        summary=summary,
        highlights=highlights,
        figures=figures,
    )
    return DigestItem(highlights=h, cluster=cluster)


LYON = Cluster(
    id="journees-openinfra-lyon-2026",
    title="Journées OpenInfra Lyon 2026 : l'open source au service de la souveraineté",
    summary=(
        "Deux jours à Lyon pour faire le point sur OpenStack, Kubernetes et la souveraineté "
        "numérique : 1 200 participants et une forte présence des opérateurs publics."
    ),
    highlights=(
        "La version 2026.2 d'OpenStack met l'accent sur les mises à jour sans interruption.",
        "Trois opérateurs publics ont raconté leur migration hors des hyperviseurs propriétaires.",
        "Les ateliers Kubernetes sur OpenStack ont affiché complet dès le premier matin !",
    ),
    figures=(
        Figure("1 200", 1200.0, "participants", "Plus de 1 200 participants."),
        Figure("48", 48.0, "conférences", "48 conférences en deux jours."),
        Figure("35 %", 35.0, "de nouveaux venus", "35 % venaient pour la première fois."),
    ),
    keywords=("OpenStack", "souveraineté numérique"),
    hashtags=("#OpenStack",),
    members=(
        "https://www.example.org/blog/journees-openinfra-lyon",
        "https://www.example.org/blog/openinfra-days-lyon-en",
    ),
)


def digest(count: int = 7, language: str = "fr") -> Digest:
    """A week with a leading event cluster (two recaps) and `count` items in all (at most 15)."""
    items = [
        item(
            1,
            "Journées OpenInfra Lyon : notre compte rendu",
            "Nous étions à Lyon pour deux jours de conférences sur l'infrastructure ouverte. "
            "Voici ce que nous en retenons.",
            feed="Nos comptes rendus",
            tags=("Événements",),
            url="https://www.example.org/blog/journees-openinfra-lyon",
            cluster=LYON.id,
            day=17,
        ),
        item(
            2,
            "OpenInfra Days Lyon: what we learned",
            "Our English recap of two days in Lyon, with notes on live upgrades and sovereignty.",
            feed="Nos comptes rendus",
            tags=("Événements",),
            language="en",
            url="https://www.example.org/blog/openinfra-days-lyon-en",
            cluster=LYON.id,
            day=18,
        ),
        item(
            3,
            "Kubernetes 1.35 : ce qui change pour les opérateurs",
            "La nouvelle version stabilise le redimensionnement des pods à chaud. "
            "Les API dépréciées depuis 1.32 disparaissent : vérifiez vos manifestes.",
            feed="Zwindler",
            tags=("Kubernetes",),
            day=19,
        ),
        item(
            4,
            "Proxmox VE 9.1 brings SDN improvements",
            "The release adds EVPN fabric support and a simpler firewall for virtual networks.",
            feed="Veille cloud",
            tags=("Virtualisation",),
            language="en",
            day=20,
        ),
        item(
            5,
            "Cinder et Ceph : bien choisir ses back-ends de stockage",
            "Un retour d'expérience sur la configuration multi-back-end de Cinder avec Ceph, "
            "et les pièges à éviter lors des migrations de volumes.",
            feed="Superuser (OpenInfra)",
            tags=("OpenStack",),
            day=16,
        ),
        item(
            6,
            "Gateway API v1.4 is generally available",
            "Gateway API reaches a new release with better support for TLS passthrough "
            "and a conformance report for every implementation.",
            feed="Kubernetes Blog",
            tags=("Kubernetes",),
            language="en",
            day=21,
        ),
        item(
            7,
            "Atelier : migrer ses VM de VMware vers Proxmox",
            "Compte rendu de notre atelier : inventaire, conversion des disques et bascule du "
            "réseau, en une demi-journée pour 12 machines.",
            feed="Nos comptes rendus",
            tags=("Virtualisation",),
            url="https://www.example.org/blog/atelier-proxmox",
            day=19,
        ),
    ]
    extra = [
        item(
            n,
            f"Note de veille n° {n} : l'actualité de l'hébergement cloud",
            "Un résumé court de l'article, en une phrase, tel que le surligneur le produit "
            "pour chaque entrée de flux retenue dans la semaine.",
            feed="Veille cloud",
            tags=("Cloud",),
            day=16 + n % 6,
        )
        for n in range(8, 16)
    ]
    chosen = (items + extra)[:count]
    return Digest(
        period=WEEK_47,
        title="La veille infra ouverte",
        language=language,
        items=tuple(chosen),
        clusters=(LYON,),
    )
