package gen

import "github.com/liandong/liandong/internal/domain"

// The vocabulary the generator draws on: the words of cooperation ledgers.
var (
	provinces   = []string{"川", "渝", "京", "津", "冀", "沪", "苏", "浙", "皖", "粤", "湘", "鄂", "赣", "闽", "鲁", "豫", "晋", "陕", "甘", "青", "宁", "新", "藏", "桂", "云", "贵", "琼", "辽", "吉", "黑", "蒙"}
	placeHeads  = []string{"东", "西", "南", "北", "中", "新", "永", "安", "长", "兴", "华", "金", "青", "龙", "云", "江", "河", "山", "平", "广", "天", "福", "宁", "德", "昌", "泰", "宝", "明", "清", "阳"}
	placeTails  = []string{"城", "川", "州", "江", "山", "海", "林", "原", "台", "门", "湖", "峰", "源", "溪", "水", "岭", "桥", "口", "坪", "坝"}
	departments = []string{"发展和改革委员会", "交通运输局", "经济和信息化局", "科学技术局", "财政局", "文化广电旅游局", "商务局", "体育局", "卫生健康委员会", "生态环境局", "人民政府", "投资促进局"}
	verbs       = []string{"推进", "建设", "共建", "协同", "打造", "完善", "实施", "深化", "加快", "联合申报", "谋划", "开通"}
	objects     = []string{"高铁", "城际铁路", "物流枢纽", "产业园", "生物医药基地", "算力中心", "重点实验室", "科创走廊", "医疗协作", "政务通办", "人才交流", "跨境班列", "汽车产业链", "电子信息集群", "金融服务", "文旅线路", "生态廊道", "数据共享平台"}
	connectives = []string{"，", "，并", "，同步", "，力争", "；"}
	blockers    = []string{"用地指标不足", "资金缺口", "审批衔接不畅", "数据标准不统一", "跨区域协调机制待完善"}
	tracks      = []domain.Term{{Key: "transport", Name: "交通基础设施"}, {Key: "industry", Name: "现代产业体系"}, {Key: "science", Name: "科技创新资源"}, {Key: "services", Name: "城市服务功能"}, {Key: "policy", Name: "社会公共政策"}}
	modes       = []domain.Term{{Key: "co-invest", Name: "共投共建"}, {Key: "toward", Name: "相向协作"}, {Key: "jointly", Name: "共同争取"}}
)
