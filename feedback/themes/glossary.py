"""Bilingual (English / Spanish) domain glossary: words and stems that mean the same concept in both languages.

Each concept is one shared token (e.g. ``SCHOOL``) that English "school", "teacher" and Spanish "escuela",
"maestra" all become, so that TF-IDF sees one feature where it would otherwise see two language-specific ones.

Entry syntax, matched on lower-case text with accents removed (``policía`` → ``policia``):

- ``word``    the exact word;
- ``stem*``   any word that starts with ``stem`` (the longest matching stem wins);
- ``a_b_c``   the phrase "a b c" (matched before single words, so "know your rights" is one RIGHTS token).

Guarantees: pure data, no imports of Django; every display label is "english / español" so a theme label built
from concept keywords reads in both languages. Written from domain knowledge of the consultation's topics, not
fitted to a test set (see METHOD.md for how it was measured).
"""

from __future__ import annotations

#: concept key -> (display label, whitespace-separated entries)
CONCEPTS: dict[str, tuple[str, str]] = {
    "POLICE": (
        "police / policía",
        "police policeman policemen policing cop cops cpd officer* 911 nine_one_one patrol* "
        "policia policias patrulla* oficial oficiales comisaria estacion_de_policia police_station district_station "
        "squad detective* trust* distrust* "
        "confia* confianza desconfi*",
    ),
    "REPORT": (
        "reporting / denunciar",
        "report* call calls calling called call_911 witness* come_forward testify testimony complain* "
        "denunci* reportar reporte* reporto llam* llamar_al_911 testigo* declarar queja*",
    ),
    "CRIME": (
        "crime / delitos",
        "crime* criminal* robbery robberies robbed rob theft thief thieves stolen steal* assault* break_in "
        "burglar* violence violent shooting* gunshot* mugg* beat_up beaten scam* abuse* domestic_violence victim* "
        "crimen crimenes delito* robo robos robaron asalt* ladron* violencia violent* balacera* balazo* golpe* "
        "delincuent* estafa* abuso* "
        "victima* violencia_domestica",
    ),
    "SCHOOL": (
        "schools / escuelas",
        "school* class classes classroom* teacher* student* cps principal* pupil* kindergarten preschool "
        "homeschool* attendance absent* bus_stop_at_school drop_off pick_up pickup dropoff recess "
        "escuel* clase clases salon_de_clases maestr* profesor* estudiant* alumn* colegio kinder preescolar director* "
        "asistencia faltar faltan falto faltando recreo",
    ),
    "CHILD": (
        "children / niños",
        "child children kid kids son sons daughter* minor minors toddler* baby babies youth teen* "
        "nino ninos nina ninas hijo hijos hija hijas menor menores chamac* bebe* jovenes adolescent* chiquit* "
        "m'ijo mijo mija",
    ),
    "FAMILY": (
        "families / familias",
        "family families parent* mother* father* mom moms dad dads husband* wife wives spouse* grandm* "
        "grandp* relative* "
        "familia* padre padres madre* mama mamas papa papas esposo* esposa* abuel* pariente* marido*",
    ),
    "SEPARATION": (
        "separation / separación",
        "separat* torn_apart split_up broken_up ripped_apart taken_away alone without_their "
        "separa* quitaron llevaron se_lo_llevaron se_la_llevaron solos solas sin_sus",
    ),
    "DETENTION": (
        "detention / detención",
        "detain* detention* deport* arrest* custody jail* prison* broadview facility facilities "
        "locked_up removal "
        "deten* deport* arrest* custodia carcel* prision* encerrad* centro_de_detencion",
    ),
    "ENFORCEMENT": (
        "ICE raids / redadas",
        "ice raid* agent* operation* enforcement border_patrol federal_agents masked checkpoint* sweep* "
        "redada* agente* operativo* migra la_migra enmascarad* retenes reten",
    ),
    "PROFILING": (
        "racial profiling / perfil racial",
        "profil* racial* race racism racist* skin brown latino_looking looking_latino accent* stereotyp* "
        "discriminat* target* singled_out latino latinos latina latinas hispanic* mexican* look_mexican "
        "looked looks harass* interrogat* questioned checked checking stare* "
        "perfil* racismo racista* piel moreno* morena* prieto* acento* estereotip* discrimin* apariencia "
        "por_como_me_veo por_como_nos_vemos cara_de se_veian acoso interrog* revis* raza mexicano* "
        "hispan*",
    ),
    "ID": (
        "ID & papers / papeles",
        "id ids papers documents document documentation identification license* passport* citizenship "
        "proof_of status undocumented paperwork show_papers show_id green_card "
        "papeles documento* identificacion* licencia* pasaporte* ciudadania mica matricula estatus "
        "indocumentad* sin_papeles",
    ),
    "TRANSIT": (
        "transit / transporte",
        "cta bus buses train trains station* platform* metra transit commute* ride riding red_line blue_line "
        "pink_line orange_line el_train the_l "
        "camion* autobus* tren trenes estacion* parada* transporte linea_rosa linea_azul linea_roja",
    ),
    "WORK": (
        "work & jobs / trabajo",
        "work worker* working workplace* job jobs employer* employee* boss* shift* coworker* co_worker* "
        "factory factories warehouse* construction day_labor* labor* "
        "trabaj* chamba* patron* jefe* turno* compañer* fabrica* bodega* construccion jornaler* empleo* "
        "emplead* obrer*",
    ),
    "CITY": (
        "city government / gobierno de la ciudad",
        "city_hall city_council mayor mayors mayoral alderm* alderperson* council* ward* johnson municipal* "
        "local_government "
        "city_officials the_city chicago_government "
        "alcald* concejal* regidor* municipi* gobierno_local la_ciudad ayuntamiento",
    ),
    "FEDERAL": (
        "federal government / gobierno federal",
        "federal* washington administration trump dhs homeland white_house national_guard troops "
        "gobierno_federal administracion guardia_nacional tropas casa_blanca",
    ),
    "SANCTUARY": (
        "sanctuary city / ciudad santuario",
        "sanctuary welcoming_city ordinance* santuario ordenanza*",
    ),
    "COORDINATION": (
        "coordination / coordinación",
        "coordinat* cooperat* communicat* collaborat* transparen* accountab* share_information information_sharing "
        "in_the_dark mixed_messages contradict* plan planning protocol* notif* warn* "
        "coordin* cooper* comunica* colabor* rendir_cuentas contradic* protocolo* aviso* avisar avisaron",
    ),
    "HEALTH": (
        "clinics & health / clínicas y salud",
        "clinic* hospital* health* doctor* nurse* medical medicine* medication* prescription* appointment* "
        "mental_health therapy therapist* counsel* er emergency_room sick illness "
        "clinica* salud doctor* medic* enfermer* cita citas receta* terapia terapeuta* consejer* sala_de_emergencia "
        "enferm*",
    ),
    "SHELTER": (
        "shelters & housing / albergues y vivienda",
        "shelter* housing homeless* beds bed cots eviction* evict* landlord* rent "
        "albergue* refugio* vivienda* camas cama desalojo* desaloj* casero* dueño renta",
    ),
    "FOOD": (
        "food aid / comida",
        "food_pantry food_pantries pantry pantries food meals meal groceries grocery hunger hungry "
        "despensa* comida* alimento* mandado hambre banco_de_comida",
    ),
    "CAPACITY": (
        "strain on services / servicios saturados",
        "overwhelm* overcrowd* capacity waitlist* wait_list waiting_list waiting_weeks understaff* short_staffed "
        "social_worker social_workers caseworker* staff staffing stretched strain* funding underfund* budget* "
        "volunteers volunteer* turned_away nonprofit* ngo* "
        "trabajadores_sociales trabajador_social personal saturad* llen* lista_de_espera falta_de_personal fondos "
        "presupuesto* voluntari* rechazad* "
        "no_dan_abasto no_alcanza organizacion* agencias",
    ),
    "LEGAL": (
        "legal help / ayuda legal",
        "lawyer* attorney* legal court* hearing* judge* case asylum paralegal* consult* representation "
        "immigration_court free_legal notario* "
        "abogad* legal* corte* audiencia* juez* caso asilo asesoria* consulta* representacion notari*",
    ),
    "RIGHTS": (
        "know your rights / conozca sus derechos",
        "rights know_your_rights warrant* constitution* remain_silent fifth_amendment "
        "open_the_door knock* judicial_warrant signed_by_a_judge "
        "derecho derechos conoce_tus_derechos conozca_sus_derechos orden_judicial orden_de_un_juez "
        "guardar_silencio quinta_enmienda abrir_la_puerta tocan tocar",
    ),
    "INFO": (
        "information & workshops / información y talleres",
        "information info informed workshop* flyer* hotline* training* guide* pamphlet* brochure* card cards "
        "translat* outreach multilingual webinar* meeting* "
        "informacion informad* taller* volante* linea_de_ayuda capacitacion* guia* folleto* tarjeta* "
        "traduc* platica* junta*",
    ),
    "BUSINESS": (
        "businesses & customers / negocios y clientes",
        "business* store* shop* restaurant* customer* sales revenue taqueria* vendor* owner* closed closing "
        "foot_traffic storefront* 26th_street street_vendor* "
        "negocio* tienda* restauran* cliente* venta ventas vendedor* dueños comerci* cerrar cerrado* cerraron "
        "calle_26 loncher* panaderia* eloter*",
    ),
    "MONEY": (
        "income & economy / ingresos y economía",
        "money income* wage* pay paycheck* paid bills economy economic* afford* lost_income hours "
        "dinero ingreso* sueldo* salario* pago* pagar biles billes economia economic* gastos horas",
    ),
    "FEAR": (
        "fear / miedo",
        "fear* afraid scared terrif* anxi* panic* nervous worried worry trauma* "
        "miedo* temor* asustad* aterroriz* ansiedad panico nervios* preocupad* preocupa* trauma*",
    ),
}

#: Neighbourhood and city names: frequent in every theme, so they carry no theme of their own and are dropped.
PLACE_WORDS = (
    "chicago chicagoland pilsen little_village la_villita villita albany_park back_of_the_yards brighton_park "
    "humboldt_park logan_square gage_park cicero berwyn south_side west_side north_side southwest_side "
    "barrio colonia vecindario neighborhood neighbourhood community comunidad"
)
