"""The demo's regencies: the five places of the source documents (``shared/seeds``) and
Jayapura, each in the time zone where it lies. Another regency is another
:class:`~deploy.demo.model.Place` here: the plan gives each the common organisation
(``org``) plus what its document describes (``extras``), with its own names and people.

What each document describes, and what the demo draws from it:
- Salor (Kampung Salor, Distrik Kurik, Merauke; WIT): Dukcapil watching the KTP counter,
  the waiting time at the kantor desa (kampung).
- Pauh (Kecamatan Pauh, Padang; WIB): the Dinas Kesehatan, the public service office and
  the praise of citizens (surveys).
- Bukitintan (Kecamatan Bukit Intan, Pangkalpinang; WIB): patients served and the response
  time to emergencies at the puskesmas, surveys of satisfaction.
- Bantul (DIY; WIB): the SKP, the daily log seen by supervisor and peers, complaints.
- Muaratebo (Muara Tebo, Kabupaten Tebo, Jambi; WIB): document processing speed at
  Dukcapil, business licences issued faster, citizens' satisfaction.
"""

from __future__ import annotations

from deploy.demo.model import Place
from services.common.events import UnitKind

_JAVA_M = (
    "Budi",
    "Agus",
    "Bambang",
    "Joko",
    "Heru",
    "Wahyu",
    "Eko",
    "Slamet",
    "Teguh",
    "Yudi",
    "Rahmat",
    "Hadi",
    "Aris",
    "Sigit",
    "Bayu",
)
_JAVA_F = (
    "Sri",
    "Endang",
    "Dewi",
    "Siti",
    "Retno",
    "Wulan",
    "Ratna",
    "Rina",
    "Yuni",
    "Dyah",
    "Sekar",
    "Ayu",
    "Lestari",
    "Nining",
    "Tutik",
)
_MINANG_M = (
    "Andri",
    "Fauzan",
    "Rizal",
    "Syahrul",
    "Zulkifli",
    "Hendra",
    "Ilham",
    "Yusri",
    "Afrizal",
    "Deni",
    "Fadli",
    "Irwan",
    "Jefri",
    "Rahmad",
    "Zainal",
)
_MINANG_F = (
    "Rahmi",
    "Yulia",
    "Fitri",
    "Nurul",
    "Sari",
    "Mira",
    "Desi",
    "Rosmaini",
    "Yenni",
    "Elfi",
    "Nelly",
    "Rini",
    "Syafitri",
    "Wirda",
    "Zulfa",
)
_MALAY_M = (
    "Ahmad",
    "Hamdan",
    "Ismail",
    "Rusli",
    "Syarif",
    "Taufik",
    "Usman",
    "Mahmud",
    "Firdaus",
    "Hasan",
    "Jamal",
    "Kamarudin",
    "Nasir",
    "Rudi",
    "Saiful",
)
_MALAY_F = (
    "Aminah",
    "Halimah",
    "Khadijah",
    "Nurhasanah",
    "Rohani",
    "Salmah",
    "Zubaidah",
    "Maryam",
    "Fatimah",
    "Juliana",
    "Laila",
    "Marlina",
    "Noviana",
    "Rosita",
    "Yusnani",
)
_PAPUA_M = (
    "Yohanis",
    "Markus",
    "Petrus",
    "Hendrik",
    "Demianus",
    "Frans",
    "Obeth",
    "Yakob",
    "Daniel",
    "Elias",
    "Benyamin",
    "Yulius",
    "Andi",
    "Ridwan",
    "Musa",
)
_PAPUA_F = (
    "Agustina",
    "Yuliana",
    "Ribka",
    "Martha",
    "Naomi",
    "Yakomina",
    "Selvina",
    "Maria",
    "Dorkas",
    "Ester",
    "Margaretha",
    "Susana",
    "Nurhayati",
    "Fitri",
    "Ruth",
)

# fmt: off
REGENCIES = (
    Place(
        slug="salor", name="Pemerintah Salor", time_zone="Asia/Jayapura",
        kecamatan="Distrik Kurik", camat="Kepala Distrik Kurik", kelurahan="Kampung Salor",
        male=_PAPUA_M, female=(*_PAPUA_F, "Sumiati", "Warsini"),
        family=("Gebze", "Mahuze", "Kaize", "Basik-Basik", "Ndiken", "Balagaize", "Samkakai",
                "Sujarwo", "Purwanto", "Kartono", "Moiwend", "Kaisiepo", "Wambrauw", "Rumbiak",
                "Sarwono", "Wibisono", "Ulukyanan", "Dimar", "Yolmen", "Kamuki"),
        counter_surveys=(25, 6), mood=(0.25, 0.15), extras=("waktu_tunggu",),
        village_kind=UnitKind.DESA,
    ),
    Place(
        slug="pauh", name="Pemerintah Pauh", time_zone="Asia/Jakarta",
        kecamatan="Kecamatan Pauh", camat="Camat Pauh", kelurahan="Kelurahan Limau Manis",
        male=_MINANG_M, female=_MINANG_F,
        family=("Chaniago", "Piliang", "Tanjung", "Koto", "Sikumbang", "Jambak", "Caniago",
                "Melayu", "Guci", "Sinaga", "Putra", "Syahputra", "Hidayat", "Rahman",
                "Fauzi", "Saputra", "Anwar", "Yusuf", "Syafei", "Effendi"),
        counter_surveys=(35, 8), mood=(0.40, 0.05), extras=("puskesmas",),
        head_office="Wali Kota",
    ),
    Place(
        slug="bukitintan", name="Pemerintah Bukitintan", time_zone="Asia/Jakarta",
        kecamatan="Kecamatan Bukit Intan", camat="Camat Bukit Intan",
        kelurahan="Kelurahan Sinar Bulan",
        male=_MALAY_M, female=_MALAY_F,
        family=("Saleh", "Yusuf", "Rahman", "Abdullah", "Hamid", "Ibrahim", "Latif", "Salim",
                "Lim", "Tan", "Wijaya", "Halim", "Gunawan", "Sutanto", "Haris", "Munir",
                "Zakaria", "Sulaiman", "Hasyim", "Ramli"),
        counter_surveys=(30, 10), mood=(0.35, 0.08), extras=("puskesmas",),
        head_office="Wali Kota",
    ),
    Place(
        slug="bantul", name="Kabupaten Bantul", time_zone="Asia/Jakarta",
        kecamatan="Kecamatan Sewon", camat="Camat Sewon", kelurahan="Kelurahan Bangunharjo",
        male=_JAVA_M, female=_JAVA_F,
        family=("Santoso", "Wibowo", "Prasetyo", "Susanto", "Hidayat", "Nugroho", "Purnomo",
                "Rahayu", "Wahyuni", "Handayani", "Kurniawan", "Setiawan", "Saputra",
                "Susilowati", "Widodo", "Suryani", "Hartono", "Pratiwi", "Utami", "Mulyadi"),
        counter_surveys=(50, 10), mood=(0.45, 0.06),
    ),
    Place(
        slug="muaratebo", name="Pemerintah Muaratebo", time_zone="Asia/Jakarta",
        kecamatan="Kecamatan Tebo Tengah", camat="Camat Tebo Tengah",
        kelurahan="Kelurahan Muara Tebo",
        male=_MALAY_M, female=_MALAY_F,
        family=("Harahap", "Nasution", "Lubis", "Siregar", "Daulay", "Saputra", "Hasibuan",
                "Rangkuti", "Pohan", "Matondang", "Sembiring", "Purba", "Damanik", "Ritonga",
                "Batubara", "Sitompul", "Tambunan", "Pane", "Dalimunthe", "Hutasuhut"),
        counter_surveys=(40, 12), mood=(0.50, 0.04), extras=("perizinan",),
    ),
    Place(
        slug="jayapura", name="Kabupaten Jayapura", time_zone="Asia/Jayapura",
        kecamatan="Distrik Sentani", camat="Kepala Distrik Sentani",
        kelurahan="Kelurahan Hinekombe",
        male=_PAPUA_M, female=_PAPUA_F,
        family=("Yoku", "Ohee", "Wally", "Monim", "Pepuho", "Deda", "Marweri", "Hamadi",
                "Kaisiepo", "Rumbiak", "Suebu", "Sawaki", "Mandosir", "Tokoro", "Felle",
                "Modouw", "Pulalo", "Ongge", "Daimoi", "Taime"),
        counter_surveys=(20, 0), mood=(0.30, 0.12),
    ),
)
# fmt: on
# The five regencies of the source documents (Jayapura is the sixth, another time zone).
SEED_REGENCIES = ("salor", "pauh", "bukitintan", "bantul", "muaratebo")
