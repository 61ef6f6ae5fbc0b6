package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/api"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/ledger"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// problemOf decodes a problem+json answer.
func problemOf(t *testing.T, r response) api.ProblemDetails {
	t.Helper()
	var p api.ProblemDetails
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("not a problem: %v\n%s", err, r.body)
	}
	return p
}

// reasons maps each refused field to its code and reason.
func reasons(p api.ProblemDetails) map[string][2]string {
	out := map[string][2]string{}
	for _, f := range p.Errors {
		out[f.Field] = [2]string{string(f.Code), f.Reason}
	}
	return out
}

// TestProblemsInTheReadersLanguage: every text of a problem — title,
// detail, each reason — reads in the language Accept-Language prefers,
// with the same stable codes beside it.
func TestProblemsInTheReadersLanguage(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		c := newClient(t, s)
		f := newFixture(t, s)
		bad := map[string]any{"mechanism_id": f.mech.ID, "batch_id": f.batch.ID, "title": "", "number": "编号 有空格!", "status": "finished",
			"start_on": "2024-06-01", "end_on": "2024-01-01"}

		t.Run("InvalidItemInChinese", func(t *testing.T) {
			r := c.do(t, "POST", "/api/v1/items", bad, "Accept-Language", "zh-CN")
			wantStatus(t, r, 422)
			if r.header.Get("Content-Language") != "zh-CN" {
				t.Fatalf("Content-Language %q, want zh-CN", r.header.Get("Content-Language"))
			}
			p := problemOf(t, r)
			if p.Code != "invalid" || p.DetailCode != "input_invalid" || p.Title != "内容有误" || p.Detail != "提交的内容有误" {
				t.Fatalf("problem %+v, want class invalid, detail_code input_invalid, in Chinese", p)
			}
			got := reasons(p)
			want := map[string][2]string{
				"title":  {"required", "必填"},
				"number": {"bad_number", "最多 40 个字母、数字或 . _ / -"},
				"end_on": {"before_start", "不得早于开始日期"},
			}
			for field, w := range want {
				if got[field] != w {
					t.Errorf("%s: got %q, want %q", field, got[field], w)
				}
			}
			if st := got["status"]; st[0] != "not_one_of" || !strings.HasPrefix(st[1], "须为以下之一：") {
				t.Errorf("status: got %q, want not_one_of in Chinese", st)
			}
		})

		t.Run("InvalidItemInEnglish", func(t *testing.T) {
			p := problemOf(t, c.do(t, "POST", "/api/v1/items", bad, "Accept-Language", "en-GB,en;q=0.9"))
			if p.Code != "invalid" || p.DetailCode != "input_invalid" || p.Title != "Unprocessable Entity" || p.Detail != "the input is invalid" {
				t.Fatalf("problem %+v, want it in English", p)
			}
			got := reasons(p)
			if got["title"] != [2]string{"required", "is required"} || got["end_on"] != [2]string{"before_start", "must not be before start_on"} {
				t.Fatalf("reasons %q, want English with the same codes", got)
			}
		})

		t.Run("NoHeaderIsEnglish", func(t *testing.T) {
			p := problemOf(t, c.do(t, "POST", "/api/v1/items", bad))
			if p.Detail != "the input is invalid" || reasons(p)["title"][1] != "is required" {
				t.Fatalf("problem %+v, want English", p)
			}
		})

		t.Run("QValuesHonoured", func(t *testing.T) {
			for header, want := range map[string]string{
				"en;q=0.5, zh-CN;q=0.9": "必填",
				"zh;q=0.3, en;q=0.8":    "is required",
				"fr, zh-Hans;q=0.7":     "必填",
			} {
				p := problemOf(t, c.do(t, "POST", "/api/v1/items", bad, "Accept-Language", header))
				if got := reasons(p)["title"][1]; got != want {
					t.Errorf("Accept-Language %q: title refused as %q, want %q", header, got, want)
				}
			}
		})

		t.Run("ForbiddenInChinese", func(t *testing.T) {
			u := must(t, s.Users, &domain.User{Email: "norole@example.gov.cn", Name: "无角色", Locale: "zh-CN"})
			token, _, err := s.CreateToken(context.Background(), domain.Actor{}, u.ID, "test")
			if err != nil {
				t.Fatal(err)
			}
			r := c.do(t, "GET", "/api/v1/items", nil, "Authorization", "Bearer "+token, "Accept-Language", "zh-CN,zh;q=0.9")
			wantStatus(t, r, 403)
			p := problemOf(t, r)
			if p.Code != "forbidden" || p.DetailCode != "forbidden_no_role" || p.Title != "无权操作" || p.Detail != "您还没有任何角色，请联系管理员" {
				t.Fatalf("problem %+v, want the refusal in Chinese", p)
			}
		})

		t.Run("NotFoundInChinese", func(t *testing.T) {
			r := c.do(t, "GET", fmt.Sprintf("/api/v1/items/%d", 987654321), nil, "Accept-Language", "zh")
			wantStatus(t, r, 404)
			p := problemOf(t, r)
			if p.Code != "not_found" || p.DetailCode != "record_not_found" || p.Title != "未找到" || p.Detail != "找不到事项 987654321" {
				t.Fatalf("problem %+v, want not found in Chinese", p)
			}
		})

		t.Run("StaleVersionInChinese", func(t *testing.T) {
			r := c.do(t, "PATCH", fmt.Sprintf("/api/v1/items/%d", f.item.ID), map[string]any{"version": f.item.Version + 5, "title": "新名称"}, "Accept-Language", "zh-CN")
			wantStatus(t, r, 409)
			p := problemOf(t, r)
			if p.DetailCode != "stale_version" || !strings.HasPrefix(p.Detail, "事项 ") || reasons(p)["version"][0] != "stale_base" {
				t.Fatalf("problem %+v, want stale_version in Chinese", p)
			}
		})
	})
}

// TestLedgerRefusalsInTheReadersLanguage: the preview's refused rows, and
// the problem of an import refused for them, read in the language
// Accept-Language prefers, naming row and column.
func TestLedgerRefusalsInTheReadersLanguage(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		c := newClient(t, s)
		f := newFixture(t, s)
		base := fmt.Sprintf("/api/v1/batches/%d/ledger", f.batch.ID)
		res := c.do(t, "GET", base+".xlsx", nil)
		wantStatus(t, res, 200)
		bad := setCells(t, res.body, map[string]string{"J2": "完成了吧"})
		for lang, want := range map[string]string{
			"zh-CN": "第2行 J列（状态）：“完成了吧”不是状态；请选择：",
			"en":    `row 2, column J (状态): "完成了吧" is not a status; choose one of `,
		} {
			res = c.do(t, "POST", base+"/preview", bad, "Content-Type", xlsxType, "Accept-Language", lang)
			wantStatus(t, res, 200)
			var p ledger.Preview
			if err := json.Unmarshal(res.body, &p); err != nil {
				t.Fatal(err)
			}
			if len(p.Errors) != 1 || p.Errors[0].Code != "not_a_status" || !strings.HasPrefix(p.Errors[0].Message, want) {
				t.Fatalf("%s: refused rows %+v, want one not_a_status beginning %q", lang, p.Errors, want)
			}
		}
		res = c.do(t, "POST", base+"/import", bad, "Content-Type", xlsxType, "Accept-Language", "zh-CN")
		wantProblem(t, res, "台账!2 J (状态)", 422)
		p := problemOf(t, res)
		if p.DetailCode != "ledger_refused" || p.Detail != "台账有 1 处错误，未导入任何内容" ||
			len(p.Errors) != 1 || p.Errors[0].Code != "not_a_status" || !strings.HasPrefix(p.Errors[0].Reason, "“完成了吧”不是状态") {
			t.Fatalf("refused import %+v, want it in Chinese", p)
		}
	})
}
