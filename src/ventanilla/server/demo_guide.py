"""A few articles of an invented consular guide for the demo, in the import format."""

GUIDE = [
    {
        "key": "passport-renewal",
        "topic": "passports",
        "related": ["lost-passport"],
        "translations": {
            "es": {
                "title": "Renovar el pasaporte",
                "body": "Necesita el pasaporte anterior, una foto reciente y cita previa.\n\n"
                "{{practical}}",
                "questions": ["se me venció el pasaporte", "pasaporte nuevo"],
            },
            "en": {
                "title": "Renewing a passport",
                "body": "You need the old passport, a recent photo and an appointment.\n\n"
                "{{practical}}",
                "questions": ["my passport expired", "new passport"],
            },
            "ar": {
                "title": "تجديد جواز السفر",
                "body": "تحتاج إلى الجواز القديم وصورة حديثة وموعد مسبق.\n\n{{practical}}",
            },
            "fr": {
                "title": "Renouveler son passeport",
                "body": "Il faut l'ancien passeport, une photo récente et un rendez-vous.\n\n"
                "{{practical}}",
            },
            "it": {
                "title": "Rinnovare il passaporto",
                "body": "Servono il vecchio passaporto, una foto recente e un appuntamento.\n\n"
                "{{practical}}",
                "questions": ["il mio passaporto è scaduto", "passaporto nuovo"],
            },
            "de": {
                "title": "Den Reisepass erneuern",
                "body": "Sie brauchen den alten Pass, ein aktuelles Foto und einen Termin.\n\n"
                "{{practical}}",
                "questions": ["mein Pass ist abgelaufen", "neuer Reisepass"],
            },
        },
    },
    {
        "key": "lost-passport",
        "topic": "passports",
        "related": ["passport-renewal"],
        "translations": {
            "es": {
                "title": "Pérdida o robo del pasaporte",
                "body": "Denuncie la pérdida a la policía y pida cita con la denuncia.",
            },
            "en": {
                "title": "A lost or stolen passport",
                "body": "Report the loss to the police, then book an appointment with the report.",
            },
        },
    },
    {
        "key": "health-care-without-papers",
        "topic": "health",
        "translations": {
            "en": {
                "title": "Health care without papers",
                "body": "Doctors and hospitals must treat urgent and necessary care, whatever "
                "your status. Ask the desk for the free clinics near you.",
                "questions": ["where can I see a doctor", "no insurance doctor"],
            },
            "nl": {
                "title": "Zorg zonder papieren",
                "body": "Artsen en ziekenhuizen moeten noodzakelijke zorg geven, wat uw status ook "
                "is. Vraag de balie naar gratis klinieken in de buurt.",
            },
        },
    },
    {
        "key": "abuse-at-work",
        "topic": "abuse-and-emergencies",
        "translations": {
            "es": {
                "title": "Abusos o violencia en el trabajo",
                "body": "Nadie puede retenerle el pasaporte, amenazarle ni pegarle. Si está en "
                "peligro, llame al número de emergencias. El consulado le ayuda a denunciar, "
                "tenga papeles o no.",
                "questions": ["mi jefe me pega", "me quitaron el pasaporte en el trabajo"],
            },
            "en": {
                "title": "Abuse or violence at work",
                "body": "Nobody may keep your passport, threaten you or hit you. If you are in "
                "danger, call the emergency number. The consulate helps you report it, whatever "
                "your papers.",
                "questions": ["my boss hits me", "they took my passport at work"],
            },
        },
    },
]
