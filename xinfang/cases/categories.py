"""The seed two-level subject-category dictionary (editable afterwards in the admin)."""

SEED = [
    ("01", "征地拆迁", ["征收补偿", "安置房建设与分配", "违法用地", "宅基地纠纷"]),
    ("02", "城乡建设", ["物业管理", "房屋质量", "市政设施", "房地产开发", "违章建筑"]),
    ("03", "劳动和社会保障", ["拖欠工资", "社会保险", "劳动关系", "工伤认定", "退休待遇"]),
    ("04", "农村农业", ["土地承包", "村务管理", "惠农补贴", "集体经济"]),
    ("05", "涉法涉诉", ["执行问题", "裁判不服", "司法作风"]),
    ("06", "教育", ["招生入学", "教师待遇", "学校管理", "校外培训"]),
    ("07", "卫生健康", ["医疗纠纷", "医保报销", "公共卫生"]),
    ("08", "生态环境", ["大气污染", "水污染", "噪声污染", "固体废物"]),
    ("09", "民政", ["低保救助", "养老服务", "婚姻登记", "殡葬管理"]),
    ("10", "企业改制", ["职工安置", "股权纠纷", "资产处置"]),
    ("11", "退役军人", ["优抚待遇", "安置就业"]),
    ("12", "纪检监察（干部作风）", ["违规违纪", "作风问题", "失职渎职"]),
    ("13", "交通运输", ["道路建设", "公共交通", "出租车管理"]),
    ("99", "其他", ["其他"]),
]


def seed_categories(Category):
    for sort, (code, name, children) in enumerate(SEED):
        parent, _ = Category.objects.get_or_create(code=code, defaults={"name": name, "sort": sort})
        for i, child in enumerate(children, start=1):
            Category.objects.get_or_create(code=f"{code}{i:02d}", defaults={"name": child, "parent": parent, "sort": i})
